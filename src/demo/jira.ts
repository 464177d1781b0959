import { jiraWebhookUrl } from '../connectors/jira/admin-webhook.js';
import { connectorDefinitionSchema, type ConnectorDefinition } from '../connectors/registry.js';
import type { Lifecycle } from '../embedded/lifecycle.js';
import { createJiraSim, type JiraSim } from '../sim/jira/sim.js';
import { DEMO_JIRA_REPORTERS, demoJiraIssue } from './scenario.js';

/**
 * The demo's Jira side: a simulated Jira Cloud with one service-management project, the connector the
 * service reads it with, and issues that close on their own timer. The service treats it exactly as a
 * real site: signed webhooks plus polling in, JSM internal comments and linked follow-up issues out.
 */
export const JIRA_CONNECTOR_ID = 'demo-jira';
const PROJECT = 'DEMO';
/** The integration account the connector signs in with (Basic: email + API token, as on Jira Cloud). */
const BOT = { email: 'feedback-bot@example.com', apiToken: 'demo-jira-api-token', displayName: 'Feedback Bot' };
/** The label the connector puts on follow-up issues (its default), used to count them at the end. */
const FOLLOW_UP_LABEL = 'customer-feedback';

/** Starts the Jira simulator on 8082 (else a free port) and registers it on the lifecycle; returns its URL. */
export async function startJiraSim(lifecycle: Lifecycle): Promise<{ jira: JiraSim; url: string }> {
  const jira = createJiraSim({ variant: 'cloud', users: [BOT] });
  const url = await jira.listen(8082, '127.0.0.1').catch(() => jira.listen(0, '127.0.0.1'));
  lifecycle.add('the Jira simulator', async () => {
    // No more webhooks to a service that is already gone (it stops first), then the server itself.
    jira.webhook.target = null;
    await jira.close();
  });
  return { jira, url };
}

/** The demo-jira connector: push by the signed Jira webhook and polling, like the ServiceNow one. */
export function jiraConnector(baseUrl: string, webhookSecret: string): ConnectorDefinition {
  return connectorDefinitionSchema.parse({
    id: JIRA_CONNECTOR_ID,
    name: 'Jira Service Management (simulated)',
    kind: 'jira',
    baseUrl,
    auth: { type: 'basic', email: BOT.email, apiToken: BOT.apiToken },
    webhookSecret,
    intake: { mode: 'both', pollIntervalSeconds: 10, overlapSeconds: 120, initialLookbackHours: 0 },
    jira: { projects: [PROJECT] },
    rules: { cooldownDays: 14, maxSurveysPer30Days: 4 },
    survey: { scale: 'csat', defaultLocale: 'en', askWhatMattered: true, branding: { organisationName: 'Acme Platform Support' } },
    // Quick for the demo, as for ServiceNow: answers become JSM internal comments 3 s after they arrive.
    writeBack: { debounceSeconds: 3 },
    // Detractors get a follow-up issue in the same project, linked to theirs, due in 24 hours.
    followUp: { enabled: true, dueHours: 24 },
  });
}

/** The project, an agent and the reporters; points the sim's webhook at the service (signed with the secret). */
export function seedJira(jira: JiraSim, serviceUrl: string, webhookSecret: string) {
  jira.createProject({ key: PROJECT, name: 'Demo Service Desk', type: 'service_desk' });
  const agent = jira.createUser({ displayName: 'Agent Jones', email: 'agent.jones@it.example.com', timeZone: 'Europe/London' }).accountId;
  const reporters = DEMO_JIRA_REPORTERS.map((r) => jira.createUser({ ...r }).accountId);
  jira.webhook.target = { url: jiraWebhookUrl({ id: JIRA_CONNECTOR_ID }, serviceUrl), secret: webhookSecret };
  return { agent, reporters };
}

/** Raises the n-th demo issue, works on it and closes it (Done); the sim fires the webhook. */
export function closeJiraIssue(jira: JiraSim, n: number, people: { agent: string; reporters: readonly string[] }): string {
  const { key } = jira.createIssue(demoJiraIssue(n, PROJECT, people.reporters, people.agent));
  jira.transition(key, 'In Progress');
  jira.transition(key, 'Done');
  return key;
}

/** What the service wrote into the sim: comments (answers) and follow-up issues (detractors). */
export function jiraTotals(jira: JiraSim): { comments: number; followUps: number } {
  const issues = jira.issues() as Array<{ key: string; fields: { labels?: string[] } }>;
  return {
    comments: issues.reduce((sum, i) => sum + jira.comments(i.key).length, 0),
    followUps: issues.filter((i) => i.fields.labels?.includes(FOLLOW_UP_LABEL)).length,
  };
}
