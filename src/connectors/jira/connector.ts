import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CheckSteps } from '../connection-check.js';
import { ItsmError, ItsmHttp, type AuthProvider } from '../http/itsm-http.js';
import { NO_STRUCTURED_ERROR, REMOTE_TEXT_MAX, remoteText } from '../http/remote-text.js';
import type { ConnectionCheck, Connector, ConnectorDeps, FeedbackNote, FollowUpTaskInput, ImprovementRecordInput, ImprovementRecordRef, PollPage, TaskRef, TaskState, TicketSnapshot, WebhookRequest, WebhookVerdict } from '../types.js';
import { adfToText, docToAdf } from './adf.js';
import { docToWiki } from './wiki-markup.js';
import type { ItsmDoc } from '../../render/itsm-doc.js';
import { jiraOAuthGrant, type JiraDefinition } from './definition.js';
import { JiraOAuthTokens } from './oauth-tokens.js';
import { isDone, JIRA_FIELDS, mapJiraIssue, parseJiraDate } from './map-issue.js';
import { JiraUserLookups } from './user-lookups.js';

/**
 * Jira's error body: {"errorMessages":[…],"errors":{"field":"message"}} (surfaced in failure reasons).
 * Only that structure is quoted (cleaned and length-limited); any other body is never echoed.
 */
export function describeJiraError(body: unknown): string {
  const b = body as { errorMessages?: unknown; errors?: unknown; errorMessage?: unknown; message?: unknown } | null;
  const msgs = Array.isArray(b?.errorMessages) ? b.errorMessages.filter((m): m is string => typeof m === 'string' && m !== '') : [];
  // JSM (servicedeskapi) answers {errorMessage, i18nErrorMessage}; the gateway {code, message}.
  for (const single of [b?.errorMessage, b?.message]) if (typeof single === 'string' && single) msgs.push(single);
  const fields = b?.errors && typeof b.errors === 'object' ? Object.entries(b.errors as Record<string, unknown>).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}: ${v as string}`) : [];
  const all = [...msgs, ...fields].map((m) => remoteText(m));
  if (all.length) return remoteText(all.join('; '), 2 * REMOTE_TEXT_MAX);
  return NO_STRUCTURED_ERROR;
}

const webhookSchema = z.object({
  webhookEvent: z.string(),
  issue_event_type_name: z.string().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  issue: z.object({ id: z.union([z.string(), z.number()]).transform(String), key: z.string().optional(), fields: z.record(z.string(), z.any()).optional() }).passthrough(),
  changelog: z.object({ id: z.union([z.string(), z.number()]).optional(), items: z.array(z.object({ field: z.string().optional(), fieldId: z.string().optional() }).passthrough()).default([]) }).optional(),
}).passthrough();

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
/** Replay window for signed deliveries when the service does not set one (JIRA_WEBHOOK_MAX_AGE_SECONDS). */
const DEFAULT_WEBHOOK_MAX_AGE_MS = 60 * 60_000;
/** Jira's clock and ours may differ a little; a timestamp further ahead than this is not believed. */
const FUTURE_SKEW_MS = 5 * 60_000;
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
  private readonly users: JiraUserLookups;

  constructor(private readonly def: JiraDefinition, private readonly deps: ConnectorDeps) {
    this.id = def.id;
    this.dc = def.jira.variant === 'datacenter';
    this.api = this.dc ? '/rest/api/2' : '/rest/api/3';
    const base = def.auth.type === 'oauth' ? `${def.jira.oauthApiUrl}/ex/jira/${encodeURIComponent(def.auth.cloudId)}` : def.baseUrl;
    this.http = new ItsmHttp(def.id, base, this.authProvider(), deps, describeJiraError, def.rateLimitPerSecond);
    this.users = new JiraUserLookups(async (accountId) => {
      const res = await this.http.request<Record<string, any>>({ operation: 'user', method: 'GET', url: `${this.api}/user`, params: { accountId }, accept: [404] });
      if (res.status === 404 || !res.data) return null;
      const u = res.data;
      return { emailAddress: u.emailAddress || null, displayName: u.displayName ?? null, timeZone: u.timeZone ?? null, locale: u.locale ?? null };
    });
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
    if (!this.dc) {
      const stale = this.replayProblem(p.timestamp);
      if (stale) {
        this.deps.logger.warn({ connectorId: this.id, identifier: header(req.headers, 'x-atlassian-webhook-identifier') ?? null, reason: stale }, 'Jira webhook refused as a possible replay');
        return { ok: false, status: 400, message: stale };
      }
    }
    const project = (p.issue.fields?.project as { key?: string } | undefined)?.key;
    if (project && !this.def.jira.projects.includes(project)) return { ok: true, notices: [], ignored: `project ${project} is not one of this connector's projects` };
    if (p.webhookEvent !== 'jira:issue_updated') return { ok: true, notices: [], ignored: `event ${p.webhookEvent} is not a closure` };
    const statusChange = (p.changelog?.items ?? []).some((i) => i.fieldId === 'status' || i.field === 'status');
    // Our own comments fire issue_updated (issue_commented) on a done issue: no status change, not a closure.
    if (!statusChange) return { ok: true, notices: [], ignored: `no status change (${p.issue_event_type_name ?? 'update'})` };
    if (!isDone(p.issue.fields?.status, this.def.jira)) return { ok: true, notices: [], ignored: 'status changed, but not into a done status' };
    const id = header(req.headers, 'x-atlassian-webhook-identifier');
    const dedupeKey = id ? `wh:${id}` : `${p.issue.id}@${p.changelog?.id ?? sha256(req.rawBody).toString('hex').slice(0, 16)}`;
    // The identifier header is not signed: signed content seen before is a duplicate whatever it claims.
    return { ok: true, notices: [{ externalId: p.issue.id, dedupeKey, ...(this.dc ? {} : { contentHash: sha256(req.rawBody).toString('hex') }) }] };
  }

  /**
   * A signed delivery must carry its signed `timestamp` (ms since the epoch, when Jira raised the event)
   * within the replay window. Jira retries a failed delivery with the same body for about 30 minutes,
   * so the default window (JIRA_WEBHOOK_MAX_AGE_SECONDS, 1 hour) lets every genuine retry through;
   * within it, a replay is caught by the content hash instead.
   */
  private replayProblem(timestamp: unknown): string | null {
    const maxAgeMs = this.deps.webhookMaxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS;
    const at = typeof timestamp === 'number' ? timestamp : typeof timestamp === 'string' && /^\d{10,16}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(at)) return 'signed delivery has no numeric timestamp: it cannot be checked against the replay window';
    const age = Date.now() - at;
    if (age > maxAgeMs) return `stale delivery: its signed timestamp is ${Math.round(age / 60_000)} minutes old; deliveries older than ${Math.round(maxAgeMs / 60_000)} minutes are refused as replays`;
    if (age < -FUTURE_SKEW_MS) return `delivery timestamp is ${Math.round(-age / 60_000)} minutes in the future (clock skew over ${FUTURE_SKEW_MS / 60_000} minutes)`;
    return null;
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
        tickets.push(await this.withReporterDetails(t));
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

  /**
   * Searches and re-reads carry the reporter's email unless Atlassian privacy settings hide it: only then
   * is /user asked (once per account per USER_LOOKUP_TTL_MS in this process, "still hidden" included).
   * The locale is not in the issue's reporter: it is used when a look-up was made or is remembered.
   */
  private async withReporterDetails(t: TicketSnapshot): Promise<TicketSnapshot> {
    const accountId = t.requester.externalId;
    if (this.dc || !accountId) return t;
    const u = t.requester.email ? this.users.peek(accountId) : await this.users.get(accountId);
    if (!u) return t;
    return { ...t, requester: { ...t.requester, email: t.requester.email ?? u.emailAddress, timeZone: t.requester.timeZone ?? u.timeZone, locale: t.requester.locale ?? u.locale, name: t.requester.name ?? u.displayName } };
  }

  async fetchTicket(externalId: string): Promise<TicketSnapshot | null> {
    const res = await this.http.request<Record<string, any>>({ operation: 'fetch', method: 'GET', url: `${this.api}/issue/${encodeURIComponent(externalId)}`, params: { fields: JIRA_FIELDS.join(',') }, accept: [404] });
    if (res.status === 404 || !res.data) return null;
    const t = mapJiraIssue(res.data, this.def.jira);
    return t ? this.withReporterDetails(t) : null;
  }

  /**
   * Authentication (GET /myself; its time zone should be UTC), reading the newest issue of the surveyed
   * projects, and the permissions write-back and follow-ups need, per project (GET /mypermissions).
   * Each failure carries Jira's own error text.
   */
  async checkConnection(): Promise<ConnectionCheck> {
    const run = new CheckSteps();
    try {
      const res = await this.http.request<{ displayName?: string; accountId?: string; name?: string; timeZone?: string }>({ operation: 'check', method: 'GET', url: `${this.api}/myself` });
      // A 200 from something that is not Jira (a login page, a proxy) is not a working connection.
      if (!res.data || typeof res.data !== 'object' || (typeof res.data.accountId !== 'string' && typeof res.data.name !== 'string')) {
        return run.unexpected('auth', 'Authentication', res.status, `HTTP ${res.status}, but not a Jira /myself answer (check the address)`);
      }
      const who = typeof res.data.displayName === 'string' && res.data.displayName ? remoteText(res.data.displayName, 100) : 'the integration user';
      const tz = typeof res.data.timeZone === 'string' ? remoteText(res.data.timeZone, 60) : '';
      run.push({ check: 'auth', label: 'Authentication', ok: true, detail: `authenticated as ${who}`, ...(tz && tz !== 'UTC' && tz !== 'Etc/UTC' ? { warning: `the integration account's time zone is ${tz}: set it to UTC (JQL reads dates in that zone)` } : {}) });
    } catch (e) {
      return run.fail('auth', 'Authentication', e);
    }
    const projects = this.def.jira.projects;
    try {
      const jql = `project in (${projects.map((p) => `"${p}"`).join(', ')}) ORDER BY updated DESC`;
      const res = this.dc
        ? await this.http.request<{ issues?: Array<{ key: string; fields?: { status?: { name?: string }; reporter?: { emailAddress?: string } } }> }>({ operation: 'check', method: 'POST', url: `${this.api}/search`, data: { jql, maxResults: 1, fields: ['status', 'reporter'] } })
        : await this.http.request<{ issues?: Array<{ key: string; fields?: { status?: { name?: string }; reporter?: { emailAddress?: string } } }> }>({ operation: 'check', method: 'POST', url: `${this.api}/search/jql`, data: { jql, maxResults: 1, fields: ['status', 'reporter'] } });
      const issue = res.data?.issues?.[0];
      run.push({
        check: 'read', label: `Read an issue (${projects.join(', ')})`, ok: true,
        detail: issue ? `read ${issue.key} (${issue.fields?.status?.name ?? 'status unknown'})${issue.fields?.reporter ? (issue.fields.reporter.emailAddress ? ", with the reporter's email" : "; the reporter's email is hidden (it is looked up per person)") : ''}` : `search works; no issues in ${projects.join(', ')} yet`,
      });
    } catch (e) {
      return run.fail('read', `Read an issue (${projects.join(', ')})`, e);
    }
    const wanted = ['BROWSE_PROJECTS', 'ADD_COMMENTS', 'CREATE_ISSUES', 'LINK_ISSUES', 'EDIT_ISSUES'];
    const missing: string[] = [];
    try {
      for (const p of new Set([...projects, ...(this.def.jira.followUpProject ? [this.def.jira.followUpProject] : [])])) {
        const res = await this.http.request<{ permissions?: Record<string, { havePermission?: boolean }> }>({ operation: 'check', method: 'GET', url: `${this.api}/mypermissions`, params: { projectKey: p, permissions: wanted.join(',') } });
        for (const k of wanted) if (res.data?.permissions?.[k]?.havePermission !== true) missing.push(`${k} in ${p}`);
      }
      run.push(
        missing.length === 0
          ? { check: 'write', label: 'Comment, create and link issues', ok: true, detail: `has ${wanted.join(', ')} in ${projects.join(', ')}` }
          : { check: 'write', label: 'Comment, create and link issues', ok: false, detail: `missing permissions: ${missing.join('; ')}` },
      );
    } catch (e) {
      run.push({ check: 'write', label: 'Comment, create and link issues', ok: null, detail: `not verified: permissions could not be read (${(e as Error).message})` });
    }
    return run.result();
  }

  // ---- outbound -------------------------------------------------------------------------------

  ticketUrl(externalId: string, key: string | null): string {
    return `${this.def.baseUrl}/browse/${encodeURIComponent(key ?? externalId)}`;
  }

  /** Platform bodies: ADF on Cloud (customer text as text nodes), wiki markup on Data Center (customer text escaped). */
  private body(doc: ItsmDoc): unknown {
    return this.dc ? docToWiki(doc) : docToAdf(doc);
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
      // JSM: an internal comment is visible to agents only, not to the customer on the portal. Its body
      // is plain text that JSM renders as wiki markup: customer text escaped as for Data Center.
      await this.http.request({ operation: 'write-feedback', method: 'POST', url: `/rest/servicedeskapi/request/${id}/comment`, data: { body: docToWiki(note.doc), public: note.visibility === 'public' } });
    } else {
      await this.http.request({ operation: 'write-feedback', method: 'POST', url: `${this.api}/issue/${id}/comment`, data: { body: this.body(note.doc) } });
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
      // followUp.priority: a number is a priority id (Jira Cloud's defaults: 1 Highest … 5 Lowest), anything else its name.
      priority: /^\d+$/.test(t.priority) ? { id: t.priority } : { name: t.priority },
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

  async addTaskNote(taskExternalId: string, doc: ItsmDoc): Promise<void> {
    const data = this.dc ? { body: docToWiki(doc) } : { body: docToAdf(doc), properties: [{ key: 'sd.public.comment', value: { internal: true } }] };
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
