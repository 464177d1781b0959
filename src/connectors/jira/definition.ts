import { z } from 'zod';
import { commonFields, httpUrlSchema, nonEmpty } from '../common-definition.js';

const projectKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'must be a Jira project key like SUP');

const auth = z.discriminatedUnion('type', [
  /** Jira Cloud: an Atlassian account's email and API token. */
  z.object({ type: z.literal('basic'), email: z.email('must be an email address'), apiToken: nonEmpty }).strict(),
  /** Jira Cloud through an OAuth 2.0 (3LO) app: calls go to api.atlassian.com/ex/jira/{cloudId}. */
  z.object({ type: z.literal('oauth'), cloudId: nonEmpty, accessToken: nonEmpty }).strict(),
  /** Jira Data Center / Server: a personal access token. */
  z.object({ type: z.literal('pat'), token: nonEmpty }).strict(),
]);

export const jiraDefinitionSchema = z
  .object({
    ...commonFields,
    kind: z.literal('jira'),
    auth,
    jira: z
      .object({
        /** cloud: REST v3, ADF bodies, signed webhooks. datacenter: REST v2, wiki-markup text, unsigned webhooks (secret in the URL). */
        variant: z.enum(['cloud', 'datacenter']).default('cloud'),
        /** Projects whose closures are surveyed (bounds every JQL query). */
        projects: z.array(projectKey).min(1, 'name at least one project'),
        issueTypes: z.array(z.string().min(1).max(60)).default([]),
        /** Statuses that count as closed; empty = any status in the done category. */
        doneStatuses: z.array(z.string().min(1).max(60)).default([]),
        /** Where an agent's "team" comes from for follow-up routing and analytics. */
        teamFrom: z.enum(['component', 'project']).default('component'),
        /** Follow-up issues: project (default: the ticket's own), type, labels. */
        followUpProject: projectKey.nullable().default(null),
        followUpIssueType: z.string().min(1).max(60).default('Task'),
        followUpLabels: z.array(z.string().regex(/^\S{1,100}$/, 'labels cannot contain spaces')).default(['customer-feedback']),
        /** Jira's duedate is a date: the exact 24 h deadline can also go to a date-time custom field. */
        dueDateTimeField: z.string().regex(/^customfield_\d+$/).nullable().default(null),
        /** The calendar date of the due moment is taken in this zone (default UTC). */
        dueDateTimeZone: z.string().default('UTC'),
        linkType: z.string().min(1).max(60).default('Relates'),
        /** Issue property holding the structured answer. */
        propertyKey: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/).default('csat'),
        /** OAuth: base of the Atlassian API gateway (override only for tests). */
        oauthApiUrl: httpUrlSchema.default('https://api.atlassian.com'),
      })
      .strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const dc = d.jira.variant === 'datacenter';
    if (dc && d.auth.type !== 'pat') ctx.addIssue({ code: 'custom', path: ['auth', 'type'], message: 'Jira Data Center uses a personal access token (type: pat)' });
    if (!dc && d.auth.type === 'pat') ctx.addIssue({ code: 'custom', path: ['auth', 'type'], message: 'Jira Cloud uses basic (email + API token) or oauth' });
  });

export type JiraDefinition = z.infer<typeof jiraDefinitionSchema>;
export const jiraSecretPaths = ['auth.apiToken', 'auth.accessToken', 'auth.token', 'webhookSecret'] as const;
