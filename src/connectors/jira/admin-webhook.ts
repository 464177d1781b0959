import type { HostPolicy } from '../http/host-policy.js';
import type { JiraDefinition } from './definition.js';
import { describeJiraError } from './connector.js';

/**
 * The admin webhook a Jira connector needs (README, "Connecting Jira Cloud"): issue updates of the
 * connector's projects, posted to its webhook URL. Cloud signs deliveries with the secret
 * (X-Hub-Signature); Data Center webhooks are unsigned, so there the secret goes in the URL.
 */
type Def = Pick<JiraDefinition, 'id' | 'name' | 'jira' | 'webhookSecret' | 'baseUrl'>;

export const jiraWebhookUrl = (def: Pick<JiraDefinition, 'id'>, publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/webhooks/jira/${def.id}`;
export const jiraWebhookJql = (def: Pick<JiraDefinition, 'jira'>) => `project in (${def.jira.projects.join(', ')})`;
export const jiraWebhookName = (def: Pick<JiraDefinition, 'id'>) => `Customer feedback (${def.id})`;

export interface AdminWebhookBody {
  name: string;
  url: string;
  events: string[];
  filters: { 'issue-related-events-section': string };
  excludeBody: boolean;
  secret?: string;
}

/** The body of POST /rest/webhooks/1.0/webhook; it contains the secret, so it is sent, never shown. */
export function adminWebhookBody(def: Def, publicUrl: string): AdminWebhookBody {
  if (!def.webhookSecret) throw new Error(`connector ${def.id} has no webhookSecret`);
  const dc = def.jira.variant === 'datacenter';
  const url = jiraWebhookUrl(def, publicUrl);
  return {
    name: jiraWebhookName(def),
    url: dc ? `${url}?secret=${encodeURIComponent(def.webhookSecret)}` : url,
    events: ['jira:issue_updated'],
    filters: { 'issue-related-events-section': jiraWebhookJql(def) },
    excludeBody: false,
    ...(dc ? {} : { secret: def.webhookSecret }),
  };
}

export type Registration =
  | { ok: true; webhook: { self?: string; name?: string; url?: string; events?: string[]; enabled?: boolean }; registered: Array<{ self?: string; name?: string; url?: string; events?: string[]; filters?: Record<string, string>; enabled?: boolean }> }
  | { ok: false; status: number | 'network'; message: string };

/**
 * Registers the webhook with a Jira administrator's credentials (email + API token, or a Data Center
 * personal access token), used for this one call and kept nowhere. Answers with Jira's own error text
 * when it refuses. The registered list shown afterwards has URLs with any secret masked.
 */
export async function registerAdminWebhook(def: Def, publicUrl: string, admin: { email?: string; token: string }, opts: { timeoutMs: number; hostPolicy?: HostPolicy }): Promise<Registration> {
  const authorization = admin.email ? `Basic ${Buffer.from(`${admin.email}:${admin.token}`).toString('base64')}` : `Bearer ${admin.token}`;
  const endpoint = `${def.baseUrl}/rest/webhooks/1.0/webhook`;
  // The administrator's credentials go only where ITSM_ALLOWED_HOSTS lets the connector's own calls go.
  const refused = opts.hostPolicy?.problem(endpoint);
  if (refused) return { ok: false, status: 'network', message: `refused before sending: ${refused}` };
  const call = async (method: 'GET' | 'POST', body?: unknown) => {
    const res = await fetch(endpoint, { method, headers: { authorization, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* Jira answered with something that is not JSON (an HTML login page, a proxy) */
    }
    return { status: res.status, json };
  };
  try {
    const created = await call('POST', adminWebhookBody(def, publicUrl));
    if (created.status !== 201 && created.status !== 200) return { ok: false, status: created.status, message: describeJiraError(created.json) };
    const list = await call('GET');
    const mask = (u: unknown) => (typeof u === 'string' ? u.replace(/([?&]secret=)[^&]*/g, '$1********') : u);
    const registered = Array.isArray(list.json) ? (list.json as Array<Record<string, unknown>>).map((w) => ({ ...w, url: mask(w.url) }) as never) : [];
    const webhook = created.json as Record<string, unknown>;
    return { ok: true, webhook: { ...webhook, url: mask(webhook?.url) } as never, registered };
  } catch (e) {
    return { ok: false, status: 'network', message: (e as Error).message };
  }
}
