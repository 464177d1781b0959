import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ItsmError, ItsmHttp, type AuthProvider } from '../http/itsm-http.js';
import type { ConnectionCheck, Connector, ConnectorDeps, FeedbackNote, FollowUpTaskInput, ImprovementRecordInput, ImprovementRecordRef, PollPage, TaskRef, TaskState, TicketSnapshot, WebhookRequest, WebhookVerdict } from '../types.js';
import { adfToText, escapeWikiMarkup, textToAdf } from './adf.js';
import { jiraOAuthGrant, type JiraDefinition } from './definition.js';
import { JiraOAuthTokens } from './oauth-tokens.js';
import { isDone, JIRA_FIELDS, mapJiraIssue, parseJiraDate } from './map-issue.js';

/** Jira's error body: {"errorMessages":[…],"errors":{"field":"message"}} (surfaced in failure reasons). */
export function describeJiraError(body: unknown): string {
  const b = body as { errorMessages?: unknown; errors?: unknown; errorMessage?: unknown; message?: unknown } | null;
  const msgs = Array.isArray(b?.errorMessages) ? b.errorMessages.filter((m) => typeof m === 'string') : [];
  // JSM (servicedeskapi) answers {errorMessage, i18nErrorMessage}; the gateway {code, message}.
  for (const single of [b?.errorMessage, b?.message]) if (typeof single === 'string' && single) msgs.push(single);
  const fields = b?.errors && typeof b.errors === 'object' ? Object.entries(b.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`) : [];
  const all = [...msgs, ...fields];
  if (all.length) return all.join('; ');
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no error details in the answer';
}

const webhookSchema = z.object({
  webhookEvent: z.string(),
  issue_event_type_name: z.string().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  issue: z.object({ id: z.union([z.string(), z.number()]).transform(String), key: z.string().optional(), fields: z.record(z.string(), z.any()).optional() }).passthrough(),
  changelog: z.object({ id: z.union([z.string(), z.number()]).optional(), items: z.array(z.object({ field: z.string().optional(), fieldId: z.string().optional() }).passthrough()).default([]) }).optional(),
}).passthrough();

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const header = (h: WebhookRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Jira Cloud (REST v3, ADF, signed webhooks; Basic email + API token, or OAuth 2.0 bearer through
 * api.atlassian.com) and Jira Data Center (REST v2, wiki-markup text, personal access token, unsigned
 * webhooks authenticated by a secret in the URL).
 */
export class JiraConnector implements Connector {
  readonly kind = 'jira';
  readonly id: string;
  private readonly http: ItsmHttp;
  private readonly api: string;
  private readonly dc: boolean;
  private readonly projectTypes = new Map<string, { projectKey: string; issueKey: string; serviceDesk: boolean }>();

  constructor(private readonly def: JiraDefinition, private readonly deps: ConnectorDeps) {
    this.id = def.id;
    this.dc = def.jira.variant === 'datacenter';
    this.api = this.dc ? '/rest/api/2' : '/rest/api/3';
    const base = def.auth.type === 'oauth' ? `${def.jira.oauthApiUrl}/ex/jira/${encodeURIComponent(def.auth.cloudId)}` : def.baseUrl;
    this.http = new ItsmHttp(def.id, base, this.authProvider(), deps, describeJiraError, def.rateLimitPerSecond);
  }

  private authProvider(): AuthProvider {
    const a = this.def.auth;
    if (a.type === 'basic') {
      const value = `Basic ${Buffer.from(`${a.email}:${a.apiToken}`).toString('base64')}`;
      return { headers: async () => ({ Authorization: value }) };
    }
    if (a.type === 'pat') return { headers: async () => ({ Authorization: `Bearer ${a.token}` }) };
    const grant = jiraOAuthGrant(a)!;
    // The static form is never refreshed: Atlassian's access tokens stop working after about an hour.
    if (grant.kind === 'static') return { headers: async () => ({ Authorization: `Bearer ${grant.accessToken}` }) };
    const store = this.deps.oauthTokens;
    if (!store) {
      const err = new ItsmError(this.def.id, 'oauth-token', 'network', true, 'Jira OAuth with a refresh token needs the shared token store (ConnectorDeps.oauthTokens), which this process was not given');
      return { headers: async () => Promise.reject(err) };
    }
    return new JiraOAuthTokens({ connectorId: this.def.id, tokenUrl: this.def.jira.oauthTokenUrl, clientId: grant.clientId, clientSecret: grant.clientSecret }, store, this.deps);
  }

  // ---- intake ---------------------------------------------------------------------------------

  verifyWebhook(req: WebhookRequest): WebhookVerdict {
    const secret = this.def.webhookSecret;
    if (!secret) return { ok: false, status: 403, message: 'push is not configured for this connector (no webhookSecret)' };
    if (this.dc) {
      // Data Center webhooks are unsigned: the secret travels in the URL (?secret=…); add an IP allowlist at the proxy.
      const given = typeof req.query.secret === 'string' ? req.query.secret : '';
      if (!timingSafeEqual(sha256(given), sha256(secret))) return { ok: false, status: 401, message: 'missing or wrong secret query parameter' };
    } else {
      const sig = header(req.headers, 'x-hub-signature') ?? '';
      const expected = `sha256=${createHmac('sha256', secret).update(req.rawBody).digest('hex')}`;
      if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return { ok: false, status: 401, message: 'missing or wrong X-Hub-Signature' };
    }
    const parsed = webhookSchema.safeParse(req.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, status: 400, message: `invalid payload: ${i?.path.join('.') || 'body'}: ${i?.message ?? 'unexpected shape'}` };
    }
    const p = parsed.data;
    const project = (p.issue.fields?.project as { key?: string } | undefined)?.key;
    if (project && !this.def.jira.projects.includes(project)) return { ok: true, notices: [], ignored: `project ${project} is not one of this connector's projects` };
    if (p.webhookEvent !== 'jira:issue_updated') return { ok: true, notices: [], ignored: `event ${p.webhookEvent} is not a closure` };
    const statusChange = (p.changelog?.items ?? []).some((i) => i.fieldId === 'status' || i.field === 'status');
    // Our own comments fire issue_updated (issue_commented) on a done issue: no status change, not a closure.
    if (!statusChange) return { ok: true, notices: [], ignored: `no status change (${p.issue_event_type_name ?? 'update'})` };
    if (!isDone(p.issue.fields?.status, this.def.jira)) return { ok: true, notices: [], ignored: 'status changed, but not into a done status' };
    const id = header(req.headers, 'x-atlassian-webhook-identifier');
    const dedupeKey = id ? `wh:${id}` : `${p.issue.id}@${p.changelog?.id ?? sha256(req.rawBody).toString('hex').slice(0, 16)}`;
    return { ok: true, notices: [{ externalId: p.issue.id, dedupeKey }] };
  }

  private jql(since: Date): string {
    const j = this.def.jira;
    const list = (xs: readonly string[]) => xs.map((x) => `"${x.replace(/"/g, '\\"')}"`).join(', ');
    const parts = [`project in (${list(j.projects)})`];
    parts.push(j.doneStatuses.length ? `status in (${list(j.doneStatuses)})` : 'statusCategory = Done');
    if (j.issueTypes.length) parts.push(`issuetype in (${list(j.issueTypes)})`);
    // JQL reads dates in the API user's zone at minute precision: give that user UTC; the overlap covers the rest.
    parts.push(`updated >= "${DateTime.fromJSDate(since, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm')}"`);
    // Ordered by creation, which never changes: an issue updated while we page (our own comments update
    // it) keeps its place, so no page boundary can skip another issue.
    return `${parts.join(' AND ')} ORDER BY created ASC, key ASC`;
  }

  async *pollClosures(since: Date): AsyncGenerator<PollPage> {
    const emails = new Map<string, Record<string, any> | null>();
    const pageSize = Math.min(this.def.intake.pageSize, 100);
    let token: string | undefined;
    let startAt = 0;
    for (;;) {
      const data = this.dc
        ? (await this.http.request<{ issues?: unknown[]; total?: number }>({ operation: 'poll', method: 'POST', url: `${this.api}/search`, data: { jql: this.jql(since), startAt, maxResults: pageSize, fields: JIRA_FIELDS } })).data
        : (await this.http.request<{ issues?: unknown[]; nextPageToken?: string; isLast?: boolean }>({ operation: 'poll', method: 'POST', url: `${this.api}/search/jql`, data: { jql: this.jql(since), maxResults: pageSize, fields: [...JIRA_FIELDS], ...(token ? { nextPageToken: token } : {}) } })).data;
      const issues = Array.isArray(data?.issues) ? (data.issues as Record<string, any>[]) : [];
      const tickets: TicketSnapshot[] = [];
      let maxUpdatedAt: Date | null = null;
      for (const issue of issues) {
        const t = mapJiraIssue(issue, this.def.jira);
        if (!t || !t.isClosed || t.updatedAt < new Date(since.getTime() - 60_000)) continue;
        tickets.push(await this.withReporterDetails(t, emails));
        if (!maxUpdatedAt || t.updatedAt > maxUpdatedAt) maxUpdatedAt = t.updatedAt;
      }
      yield { tickets, maxUpdatedAt };
      if (this.dc) {
        startAt += issues.length;
        const total = (data as { total?: number }).total ?? 0;
        if (issues.length === 0 || startAt >= total) return;
      } else {
        const d = data as { nextPageToken?: string; isLast?: boolean };
        if (d.isLast !== false || !d.nextPageToken) return;
        token = d.nextPageToken;
      }
    }
  }

  /** Payloads and searches may lack the reporter's email, zone or locale (privacy settings): ask /user once. */
  private async withReporterDetails(t: TicketSnapshot, cache: Map<string, Record<string, any> | null>): Promise<TicketSnapshot> {
    const accountId = t.requester.externalId;
    if (this.dc || !accountId || (t.requester.email && t.requester.timeZone && t.requester.locale)) return t;
    if (!cache.has(accountId)) {
      const res = await this.http.request<Record<string, any>>({ operation: 'user', method: 'GET', url: `${this.api}/user`, params: { accountId }, accept: [404] });
      cache.set(accountId, res.status === 404 ? null : res.data);
    }
    const u = cache.get(accountId);
    if (!u) return t;
    return { ...t, requester: { ...t.requester, email: t.requester.email ?? (u.emailAddress || null), timeZone: t.requester.timeZone ?? u.timeZone ?? null, locale: t.requester.locale ?? u.locale ?? null, name: t.requester.name ?? u.displayName ?? null } };
  }

  async fetchTicket(externalId: string): Promise<TicketSnapshot | null> {
    const res = await this.http.request<Record<string, any>>({ operation: 'fetch', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(externalId)}`, params: { fields: JIRA_FIELDS.join(',') }, accept: [404] });
    if (res.status === 404 || !res.data) return null;
    const t = mapJiraIssue(res.data, this.def.jira);
    return t ? this.withReporterDetails(t, new Map()) : null;
  }

  async checkConnection(): Promise<ConnectionCheck> {
    const started = Date.now();
    try {
      const res = await this.http.request<{ displayName?: string }>({ operation: 'check', method: 'GET', url: `${this.api}/myself` });
      return { ok: true, latencyMs: Date.now() - started, message: `authenticated as ${res.data?.displayName ?? 'the integration user'}` };
    } catch (e) {
      return { ok: false, latencyMs: Date.now() - started, message: (e as Error).message };
    }
  }

  // ---- outbound -------------------------------------------------------------------------------

  neutralise(customerText: string): string {
    // ADF text nodes are never parsed as markup; Data Center bodies are wiki markup.
    return this.dc ? escapeWikiMarkup(customerText) : customerText.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  }

  ticketUrl(externalId: string, key: string | null): string {
    return `${this.def.baseUrl}/browse/${encodeURIComponent(key ?? externalId)}`;
  }

  private body(text: string): unknown {
    return this.dc ? text : textToAdf(text);
  }

  /** The issue's project and whether it is a service-desk (JSM) project, cached per issue. */
  private async issueInfo(issueId: string) {
    const cached = this.projectTypes.get(issueId);
    if (cached) return cached;
    const res = await this.http.request<{ key: string; fields?: { project?: { key: string; projectTypeKey?: string } } }>({ operation: 'fetch', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(issueId)}`, params: { fields: 'project' } });
    const info = { projectKey: res.data.fields?.project?.key ?? '', issueKey: res.data.key, serviceDesk: res.data.fields?.project?.projectTypeKey === 'service_desk' };
    if (this.projectTypes.size > 10_000) this.projectTypes.clear();
    this.projectTypes.set(issueId, info);
    return info;
  }

  private async comments(issueId: string): Promise<string[]> {
    const res = await this.http.request<{ comments?: Array<{ body?: unknown }> }>({ operation: 'find-note', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(issueId)}/comment`, params: { orderBy: '-created', maxResults: 100 } });
    return (res.data?.comments ?? []).map((c) => adfToText(c.body));
  }

  async hasNote(ticketExternalId: string, marker: string): Promise<boolean> {
    return (await this.comments(ticketExternalId)).some((t) => t.includes(marker));
  }

  /** Structured data first (idempotent writes), the comment with the marker last: a found marker means all is written. */
  async writeFeedback(ticketExternalId: string, note: FeedbackNote): Promise<void> {
    const id = encodeURIComponent(ticketExternalId);
    if (note.data) await this.http.request({ operation: 'write-property', method: 'PUT', url: `${this.api}/issue/${id}/properties/${encodeURIComponent(this.def.jira.propertyKey)}`, data: note.data });
    if (Object.keys(note.fields).length) await this.http.request({ operation: 'write-fields', method: 'PUT', url: `${this.api}/issue/${id}`, data: { fields: note.fields } });
    if (note.visibility === 'none') return;
    const info = await this.issueInfo(ticketExternalId);
    if (info.serviceDesk) {
      // JSM: an internal comment is visible to agents only, not to the customer on the portal.
      await this.http.request({ operation: 'write-feedback', method: 'POST', url: `/rest/servicedeskapi/request/${id}/comment`, data: { body: note.text, public: note.visibility === 'public' } });
    } else {
      await this.http.request({ operation: 'write-feedback', method: 'POST', url: `${this.api}/issue/${id}/comment`, data: { body: this.body(note.text) } });
    }
  }

  /** The issue labelled with our marker (exact match), if any. */
  private async issueByLabel(marker: string, operation: string): Promise<{ id: string; key: string } | undefined> {
    const jql = `labels = "${marker}"`;
    const res = await this.http.request<{ issues?: Array<{ id: string; key: string }> }>({ operation, method: 'POST', url: this.dc ? `${this.api}/search` : `${this.api}/search/jql`, data: { jql, maxResults: 1, fields: ['issuelinks'] } });
    return res.data?.issues?.[0];
  }

  async findFollowUpTask(parentExternalId: string, marker: string): Promise<TaskRef | null> {
    const hit = await this.issueByLabel(marker, 'find-task');
    if (!hit) return null;
    await this.ensureLinked(hit.key, (await this.issueInfo(parentExternalId)).issueKey);
    return { externalId: String(hit.id), key: hit.key };
  }

  async createFollowUpTask(t: FollowUpTaskInput): Promise<TaskRef> {
    const j = this.def.jira;
    const parent = await this.issueInfo(t.parentExternalId);
    const projectKey = j.followUpProject ?? parent.projectKey;
    const dueDate = DateTime.fromJSDate(t.dueAt, { zone: j.dueDateTimeZone }).toFormat('yyyy-MM-dd');
    const fields: Record<string, unknown> = {
      project: { key: projectKey },
      issuetype: { name: j.followUpIssueType },
      summary: t.title.slice(0, 254),
      description: this.body(t.description),
      duedate: dueDate,
      // The marker as a label: exact-match searchable, so a retry finds the issue it already created.
      labels: [...j.followUpLabels, t.marker],
      priority: { id: t.priority },
    };
    if (j.dueDateTimeField) fields[j.dueDateTimeField] = t.dueAt.toISOString().replace('Z', '+0000');
    if (t.assigneeId) fields.assignee = this.dc ? { name: t.assigneeId } : { accountId: t.assigneeId };
    if (j.teamFrom === 'component' && t.assignmentGroupId && projectKey === parent.projectKey && /^\d+$/.test(t.assignmentGroupId)) fields.components = [{ id: t.assignmentGroupId }];
    const res = await this.http.request<{ id: string; key: string }>({ operation: 'create-task', method: 'POST', url: `${this.api}/issue`, data: { fields } });
    await this.ensureLinked(res.data.key, parent.issueKey);
    return { externalId: String(res.data.id), key: res.data.key };
  }

  /** An issue in jira.improvementProject (else the first project) of jira.improvementIssueType, labelled with the marker. */
  async mirrorImprovement(input: ImprovementRecordInput): Promise<ImprovementRecordRef> {
    const j = this.def.jira;
    const ref = (r: { id: string | number; key: string }) => ({ externalId: String(r.id), key: r.key, url: this.ticketUrl(String(r.id), r.key) });
    if (input.findFirst) {
      const hit = await this.issueByLabel(input.marker, 'find-improvement');
      if (hit) return ref(hit);
    }
    const fields: Record<string, unknown> = {
      project: { key: j.improvementProject ?? j.projects[0] },
      issuetype: { name: j.improvementIssueType },
      summary: input.title.replace(/[\r\n]+/g, ' ').slice(0, 254),
      description: this.body(input.description),
      labels: [...j.improvementLabels, input.marker],
    };
    const res = await this.http.request<{ id: string; key: string }>({ operation: 'create-improvement', method: 'POST', url: `${this.api}/issue`, data: { fields } });
    return ref(res.data);
  }

  private async ensureLinked(taskKey: string, parentKey: string): Promise<void> {
    const res = await this.http.request<{ fields?: { issuelinks?: Array<{ inwardIssue?: { key: string }; outwardIssue?: { key: string } }> } }>({ operation: 'read-links', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(taskKey)}`, params: { fields: 'issuelinks' } });
    const linked = (res.data.fields?.issuelinks ?? []).some((l) => l.inwardIssue?.key === parentKey || l.outwardIssue?.key === parentKey);
    if (linked) return;
    await this.http.request({ operation: 'link-task', method: 'POST', url: `${this.api}/issueLink`, data: { type: { name: this.def.jira.linkType }, inwardIssue: { key: parentKey }, outwardIssue: { key: taskKey } } });
  }

  async addTaskNote(taskExternalId: string, text: string): Promise<void> {
    const data = this.dc ? { body: text } : { body: textToAdf(text), properties: [{ key: 'sd.public.comment', value: { internal: true } }] };
    await this.http.request({ operation: 'task-note', method: 'POST', url: `${this.api}/issue/${encodeURIComponent(taskExternalId)}/comment`, data });
  }

  async hasTaskNote(taskExternalId: string, marker: string): Promise<boolean> {
    return (await this.comments(taskExternalId)).some((t) => t.includes(marker));
  }

  /** Closed = the done status category. Jira has no close notes: the resolution and the last comment are the outcome. */
  async readTaskState(taskExternalId: string): Promise<TaskState | null> {
    const res = await this.http.request<{ fields?: Record<string, any> }>({ operation: 'read-task', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(taskExternalId)}`, params: { fields: 'status,resolution,resolutiondate' }, accept: [404] });
    if (res.status === 404 || !res.data?.fields) return null;
    const f = res.data.fields;
    const closed = f.status?.statusCategory?.key === 'done';
    let closeNotes: string | null = null;
    if (closed) {
      const last = (await this.comments(taskExternalId))[0];
      closeNotes = [f.resolution?.name, last].filter(Boolean).join(': ') || null;
    }
    return { closed, state: f.status?.name ?? null, closeNotes, closedAt: parseJiraDate(f.resolutiondate) };
  }
}
