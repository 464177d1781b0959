import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CheckSteps } from '../connection-check.js';
import { ItsmHttp, sendWhenOpen } from '../http/itsm-http.js';
import { NO_STRUCTURED_ERROR, remoteText } from '../http/remote-text.js';
import type { ConnectionCheck, Connector, ConnectorDeps, FeedbackNote, FollowUpTaskInput, ImprovementRecordInput, ImprovementRecordRef, PollPage, TaskRef, TaskState, TicketSnapshot, WebhookRequest, WebhookVerdict } from '../types.js';
import { docToJournal } from './neutralise.js';
import type { ItsmDoc } from '../../render/itsm-doc.js';
import { serviceNowAuth } from './auth.js';
import { parseGlideDateTime, toGlideDateTime } from './dates.js';
import type { ServiceNowDefinition } from './definition.js';
import { parseLinkHeader } from './link-header.js';
import { mapServiceNowRecord, SNOW_FIELDS } from './map-record.js';

/** The Business Rule's payload (README): small, and only a hint — the record is re-read. */
const pushSchema = z.object({
  sys_id: z.string().regex(/^[0-9a-f]{32}$/, 'sys_id must be 32 hex characters'),
  table: z.string().max(80).optional(),
  number: z.string().max(40).optional(),
  state: z.string().max(40).optional(),
  sys_updated_on: z.string().max(40).optional(),
});

/**
 * ServiceNow's error body: {"error":{"message","detail"},"status":"failure"}. Only that structure is
 * quoted (cleaned and length-limited); any other body — an HTML page, whatever a wrong address answers —
 * is never echoed.
 */
export function describeServiceNowError(body: unknown): string {
  const e = (body as { error?: { message?: unknown; detail?: unknown } } | null)?.error;
  if (e && typeof e === 'object') return [e.message, e.detail].filter((x): x is string => typeof x === 'string' && x !== '').map((x) => remoteText(x)).join(': ') || 'error without message';
  return NO_STRUCTURED_ERROR;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

export class ServiceNowConnector implements Connector {
  readonly kind = 'servicenow';
  readonly id: string;
  private readonly http: ItsmHttp;
  private readonly tablePath: string;

  constructor(private readonly def: ServiceNowDefinition, private readonly deps: ConnectorDeps) {
    this.id = def.id;
    this.tablePath = `/api/now/table/${def.servicenow.table}`;
    const auth = serviceNowAuth(def.id, def.baseUrl, def.auth, deps.http.timeoutMs, deps.hostPolicy, (send) => sendWhenOpen(deps.gate, def.id, deps.http.maxInlineWaitMs, send));
    this.http = new ItsmHttp(def.id, def.baseUrl, auth, deps, describeServiceNowError, def.rateLimitPerSecond);
  }

  verifyWebhook(req: WebhookRequest): WebhookVerdict {
    const expected = this.def.webhookSecret;
    if (!expected) return { ok: false, status: 403, message: 'push is not configured for this connector (no webhookSecret)' };
    const given = req.headers[this.def.servicenow.webhookHeader.toLowerCase()];
    // Compare digests so that the comparison is constant-time whatever the lengths.
    if (typeof given !== 'string' || !timingSafeEqual(sha256(given), sha256(expected))) {
      return { ok: false, status: 401, message: `missing or wrong ${this.def.servicenow.webhookHeader} header` };
    }
    const parsed = pushSchema.safeParse(req.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { ok: false, status: 400, message: `invalid payload: ${i?.path.join('.') || 'body'}: ${i?.message ?? 'unexpected shape'}` };
    }
    const p = parsed.data;
    if (p.table && p.table !== this.def.servicenow.table) {
      return { ok: true, notices: [], ignored: `table ${p.table} is not this connector's table (${this.def.servicenow.table})` };
    }
    // Same record + same update time = the same notification retried.
    const version = p.sys_updated_on ?? sha256(req.rawBody).toString('hex').slice(0, 16);
    return { ok: true, notices: [{ externalId: p.sys_id, dedupeKey: `${p.sys_id}@${version}` }] };
  }

  /**
   * Keyset paging: every page asks for records updated at or after the last one seen, ordered by
   * (sys_updated_on, sys_id). Offset pages (the Link header's next) skip rows when records change during
   * the poll — an updated record jumps to the end and every later row shifts back by one — and the
   * cursor would then pass them for good. The Link header still says whether more pages follow.
   */
  async *pollClosures(since: Date): AsyncGenerator<PollPage> {
    const closedStates = this.def.servicenow.closedStates;
    const pageSize = this.def.intake.pageSize;
    const states = `^stateIN${closedStates.join(',')}`;
    let from = toGlideDateTime(since);
    let seenAtFrom = new Set<string>();
    let offsetInSecond = 0;
    for (;;) {
      // A whole page inside one second: step through that second by offset (stable: ordered by sys_id).
      const query = offsetInSecond > 0 ? `sys_updated_on=${from}${states}^ORDERBYsys_id` : `sys_updated_on>=${from}${states}^ORDERBYsys_updated_on^ORDERBYsys_id`;
      const res: { data: { result?: unknown }; headers: Record<string, unknown> } = await this.http.request<{ result?: unknown }>({
        operation: 'poll',
        method: 'GET',
        url: this.tablePath,
        params: {
          sysparm_query: query,
          sysparm_fields: SNOW_FIELDS.join(','),
          sysparm_limit: pageSize,
          ...(offsetInSecond > 0 ? { sysparm_offset: offsetInSecond } : {}),
          sysparm_exclude_reference_link: true,
          sysparm_display_value: 'false',
        },
      });
      const records = Array.isArray(res.data?.result) ? (res.data.result as Record<string, unknown>[]) : [];
      const tickets: TicketSnapshot[] = [];
      let maxUpdatedAt: Date | null = null;
      let offQuery = 0;
      for (const r of records) {
        if (offsetInSecond === 0 && r.sys_updated_on === from && seenAtFrom.has(String(r.sys_id))) continue; // already read on the previous page
        const t = mapServiceNowRecord(r, closedStates);
        // ServiceNow silently drops query terms it cannot read (and then returns everything):
        // never trust the server-side filter alone.
        if (!t || !t.isClosed || t.updatedAt < since) {
          offQuery++;
          continue;
        }
        tickets.push(t);
        if (!maxUpdatedAt || t.updatedAt > maxUpdatedAt) maxUpdatedAt = t.updatedAt;
      }
      if (offQuery > 0) this.deps.logger.warn({ connectorId: this.id, offQuery }, 'ServiceNow returned records outside the query; check the closed states and field names');
      yield { tickets, maxUpdatedAt };

      const more = records.length === pageSize || Boolean(parseLinkHeader(res.headers.link as string | undefined).next);
      if (!more || records.length === 0) {
        if (offsetInSecond === 0) return;
        // Done with the crowded second: continue after it.
        offsetInSecond = 0;
        seenAtFrom = new Set();
        from = toGlideDateTime(new Date(parseGlideDateTime(from)!.getTime() + 1000));
        continue;
      }
      if (offsetInSecond > 0) {
        offsetInSecond += records.length;
        continue;
      }
      const last = String(records[records.length - 1]!.sys_updated_on ?? '');
      if (last === from) {
        offsetInSecond = records.length;
        continue;
      }
      from = last;
      seenAtFrom = new Set(records.filter((r) => r.sys_updated_on === last).map((r) => String(r.sys_id)));
    }
  }

  async fetchTicket(externalId: string): Promise<TicketSnapshot | null> {
    const res = await this.http.request<{ result?: Record<string, unknown> }>({
      operation: 'fetch',
      method: 'GET',
      url: `${this.tablePath}/${encodeURIComponent(externalId)}`,
      params: { sysparm_fields: SNOW_FIELDS.join(','), sysparm_exclude_reference_link: true, sysparm_display_value: 'false' },
      accept: [404],
    });
    if (res.status === 404 || !res.data?.result) return null;
    return mapServiceNowRecord(res.data.result, this.def.servicenow.closedStates);
  }

  /**
   * Authentication (and the integration user's record: its time zone should be UTC), reading the newest
   * ticket of the table with the caller's email (dot-walked), and the right to write work notes and
   * create follow-up tasks — judged from the user's roles (itil or admin), as writing a test note would
   * change a real ticket. Each failure carries ServiceNow's own error text.
   */
  async checkConnection(): Promise<ConnectionCheck> {
    const run = new CheckSteps();
    const { table, taskTable } = this.def.servicenow;
    const get = <T>(url: string, params: Record<string, string | number | boolean>) => this.http.request<{ result?: T }>({ operation: 'check', method: 'GET', url, params: { sysparm_no_count: true, ...params } });
    const username = this.def.auth.type === 'oauth_client_credentials' ? null : this.def.auth.username;
    let userSysId: string | null = null;
    try {
      if (username) {
        const u = (await get<Array<{ sys_id: string; user_name: string; time_zone?: string }>>('/api/now/table/sys_user', { sysparm_query: `user_name=${username}`, sysparm_fields: 'sys_id,user_name,time_zone', sysparm_limit: 1 })).data.result?.[0];
        userSysId = u?.sys_id ?? null;
        const tz = u?.time_zone ?? '';
        run.push({
          check: 'auth', label: 'Authentication', ok: true,
          detail: u ? `signed in as ${u.user_name}` : `signed in as ${username} (its sys_user record is not readable)`,
          ...(u && tz !== 'UTC' && tz !== 'GMT' ? { warning: `the integration user's time zone is ${tz || 'the system default'}: set it to UTC (dates in queries are read in that zone)` } : {}),
        });
      } else {
        await get('/api/now/table/sys_user', { sysparm_fields: 'sys_id', sysparm_limit: 1 });
        run.push({ check: 'auth', label: 'Authentication', ok: true, detail: 'OAuth client credentials accepted' });
      }
    } catch (e) {
      return run.fail('auth', 'Authentication', e);
    }
    try {
      const res = await get<Array<Record<string, string>>>(this.tablePath, { sysparm_query: 'ORDERBYDESCsys_updated_on', sysparm_fields: 'sys_id,number,state,caller_id.email', sysparm_limit: 1 });
      // A 200 from something that is not the Table API (a login page, a proxy) is not a working connection.
      if (!Array.isArray(res.data?.result)) {
        return run.unexpected('read', `Read a ticket (${table})`, res.status, `HTTP ${res.status}, but not a ServiceNow Table API answer (check baseUrl)`);
      }
      const rec = res.data.result[0];
      run.push({
        check: 'read', label: `Read a ticket (${table})`, ok: true,
        detail: rec ? `read ${rec.number || rec.sys_id} (state ${rec.state || '?'})${rec['caller_id.email'] ? ", with the caller's email" : ''}` : `read access to ${table} confirmed (the table is empty)`,
      });
    } catch (e) {
      return run.fail('read', `Read a ticket (${table})`, e);
    }
    if (!userSysId) {
      run.push({ check: 'write', label: 'Write work notes, create tasks', ok: null, detail: "not verified: the integration user's roles cannot be read; the first write-back will show it" });
      return run.result();
    }
    try {
      const roles = ((await get<Array<Record<string, string>>>('/api/now/table/sys_user_has_role', { sysparm_query: `user=${userSysId}`, sysparm_fields: 'role.name', sysparm_limit: 200 })).data.result ?? []).map((r) => r['role.name']).filter(Boolean);
      const writer = roles.find((r) => r === 'itil' || r === 'admin');
      run.push(
        writer
          ? { check: 'write', label: 'Write work notes, create tasks', ok: true, detail: `role ${writer}: may write work notes on ${table} and create ${taskTable} records (checked by role; custom ACLs can still refuse)` }
          : { check: 'write', label: 'Write work notes, create tasks', ok: false, detail: `the integration user has no itil role (roles: ${roles.join(', ') || 'none'}): it cannot write work notes or create ${taskTable} records` },
      );
    } catch (e) {
      run.push({ check: 'write', label: 'Write work notes, create tasks', ok: null, detail: `not verified: the user's roles could not be read (${(e as Error).message})` });
    }
    return run.result();
  }

  ticketUrl(externalId: string, _key: string | null = null): string {
    return `${this.def.baseUrl}/nav_to.do?uri=${encodeURIComponent(`${this.def.servicenow.table}.do?sys_id=${externalId}`)}`;
  }

  /** Journal entries live in sys_journal_field; the fields themselves always read back empty. */
  async hasNote(ticketExternalId: string, marker: string, visibility: 'internal' | 'public'): Promise<boolean> {
    return this.journalHas(ticketExternalId, visibility === 'internal' ? 'work_notes' : 'comments', marker);
  }

  async writeFeedback(ticketExternalId: string, note: FeedbackNote): Promise<void> {
    const body: Record<string, string> = { ...note.fields };
    if (note.visibility !== 'none') body[note.visibility === 'internal' ? 'work_notes' : 'comments'] = docToJournal(note.doc);
    if (Object.keys(body).length === 0) return;
    await this.http.request({ operation: 'write-feedback', method: 'PATCH', url: `${this.tablePath}/${encodeURIComponent(ticketExternalId)}`, params: { sysparm_fields: 'sys_id' }, data: body });
  }

  async findFollowUpTask(parentExternalId: string, marker: string): Promise<TaskRef | null> {
    const { taskTable, taskParentField } = this.def.servicenow;
    const res = await this.http.request<{ result?: Array<{ sys_id: string; number?: string }> }>({
      operation: 'find-task',
      method: 'GET',
      url: `/api/now/table/${taskTable}`,
      params: { sysparm_query: `${taskParentField}=${parentExternalId}^descriptionLIKE${marker}`, sysparm_fields: 'sys_id,number', sysparm_limit: 1, sysparm_no_count: true },
    });
    const hit = res.data?.result?.[0];
    return hit ? { externalId: hit.sys_id, key: hit.number || null } : null;
  }

  async createFollowUpTask(t: FollowUpTaskInput): Promise<TaskRef> {
    const { taskTable, taskParentField } = this.def.servicenow;
    const body: Record<string, string> = {
      [taskParentField]: t.parentExternalId,
      short_description: t.title,
      description: docToJournal(t.description),
      due_date: toGlideDateTime(t.dueAt),
      priority: t.priority,
    };
    if (t.assignmentGroupId) body.assignment_group = t.assignmentGroupId;
    if (t.assigneeId) body.assigned_to = t.assigneeId;
    const res = await this.http.request<{ result?: { sys_id?: string; number?: string } }>({ operation: 'create-task', method: 'POST', url: `/api/now/table/${taskTable}`, params: { sysparm_fields: 'sys_id,number' }, data: body });
    const r = res.data?.result;
    if (!r?.sys_id) throw new Error(`ServiceNow created a ${taskTable} record but returned no sys_id`);
    return { externalId: r.sys_id, key: r.number || null };
  }

  async addTaskNote(taskExternalId: string, doc: ItsmDoc): Promise<void> {
    await this.http.request({ operation: 'task-note', method: 'PATCH', url: `/api/now/table/${this.def.servicenow.taskTable}/${encodeURIComponent(taskExternalId)}`, params: { sysparm_fields: 'sys_id' }, data: { work_notes: docToJournal(doc) } });
  }

  async hasTaskNote(taskExternalId: string, marker: string): Promise<boolean> {
    return this.journalHas(taskExternalId, 'work_notes', marker);
  }

  async readTaskState(taskExternalId: string): Promise<TaskState | null> {
    const res = await this.http.request<{ result?: Record<string, string> }>({
      operation: 'read-task',
      method: 'GET',
      url: `/api/now/table/${this.def.servicenow.taskTable}/${encodeURIComponent(taskExternalId)}`,
      params: { sysparm_fields: 'state,active,close_notes,closed_at', sysparm_display_value: 'false' },
      accept: [404],
    });
    const r = res.status === 404 ? undefined : res.data?.result;
    if (!r) return null;
    const closed = this.def.servicenow.taskClosedStates.includes(r.state ?? '') || r.active === 'false';
    return { closed, state: r.state || null, closeNotes: r.close_notes || null, closedAt: parseGlideDateTime(r.closed_at) };
  }

  /**
   * A record on servicenow.improvementTable (problem by default), carrying the marker in correlation_id
   * (the task field meant for an external system's id) and in the description. The retry search reads
   * the description back, since ServiceNow silently drops query terms on fields a table lacks.
   */
  async mirrorImprovement(input: ImprovementRecordInput): Promise<ImprovementRecordRef> {
    const table = this.def.servicenow.improvementTable;
    const ref = (r: { sys_id: string; number?: string }) => ({ externalId: r.sys_id, key: r.number || null, url: this.recordUrl(table, r.sys_id) });
    if (input.findFirst) {
      const res = await this.http.request<{ result?: Array<{ sys_id: string; number?: string; description?: string }> }>({
        operation: 'find-improvement',
        method: 'GET',
        url: `/api/now/table/${table}`,
        params: { sysparm_query: `descriptionLIKE${input.marker}`, sysparm_fields: 'sys_id,number,description', sysparm_limit: 5, sysparm_no_count: true },
      });
      const hit = res.data?.result?.find((r) => typeof r.description === 'string' && r.description.includes(input.marker));
      if (hit) return ref(hit);
    }
    const body: Record<string, string> = {
      short_description: input.title.slice(0, 160),
      description: docToJournal(input.description),
      correlation_id: input.marker,
      correlation_display: 'Closed-loop feedback',
    };
    if (input.assignmentGroupId) body.assignment_group = input.assignmentGroupId;
    const res = await this.http.request<{ result?: { sys_id?: string; number?: string } }>({ operation: 'create-improvement', method: 'POST', url: `/api/now/table/${table}`, params: { sysparm_fields: 'sys_id,number' }, data: body });
    const r = res.data?.result;
    if (!r?.sys_id) throw new Error(`ServiceNow created a ${table} record but returned no sys_id`);
    return ref({ sys_id: r.sys_id, number: r.number });
  }

  private recordUrl(table: string, sysId: string): string {
    return `${this.def.baseUrl}/nav_to.do?uri=${encodeURIComponent(`${table}.do?sys_id=${sysId}`)}`;
  }

  /** sys_user_group.email, by sys_id (what tickets carry) or, for a group known only by name, by name. */
  async groupEmail(groupIdOrName: string): Promise<string | null> {
    const bySysId = /^[0-9a-f]{32}$/.test(groupIdOrName);
    const res = await this.http.request<{ result?: Array<{ email?: string }> | { email?: string } }>({
      operation: 'group-email',
      method: 'GET',
      url: bySysId ? `/api/now/table/sys_user_group/${groupIdOrName}` : '/api/now/table/sys_user_group',
      params: bySysId ? { sysparm_fields: 'email' } : { sysparm_query: `name=${groupIdOrName.replace(/\^/g, '')}`, sysparm_fields: 'email', sysparm_limit: 1, sysparm_no_count: true },
      accept: [404],
    });
    if (res.status === 404) return null;
    const r = res.data?.result;
    const email = (Array.isArray(r) ? r[0]?.email : r?.email)?.trim();
    return email && z.email().safeParse(email).success ? email : null;
  }

  private async journalHas(elementId: string, element: 'work_notes' | 'comments', marker: string): Promise<boolean> {
    const res = await this.http.request<{ result?: unknown[] }>({
      operation: 'find-note',
      method: 'GET',
      url: '/api/now/table/sys_journal_field',
      params: { sysparm_query: `element_id=${elementId}^element=${element}^valueLIKE${marker}`, sysparm_fields: 'sys_id', sysparm_limit: 1, sysparm_no_count: true },
    });
    return (res.data?.result?.length ?? 0) > 0;
  }
}
