/**
 * Jira REST endpoints: Cloud `/rest/api/3/…` (also under `/ex/jira/{cloudId}/…`, Bearer only, as OAuth 2.0
 * apps call api.atlassian.com) or Data Center `/rest/api/2/…`, and JSM `/rest/servicedeskapi/…`.
 * Every request body is checked with the contract validator first; every rejected body is recorded.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adfToText, textToAdf } from './adf.js';
import type { JiraAuth } from './auth.js';
import { ISSUE_NOT_FOUND, jiraError, jsmError } from './errors.js';
import { compileJql, JqlError } from './jql.js';
import { checkJiraRequest, PROPERTY_VALUE_MAX_CHARS } from './openapi-validator.js';
import { ALL_FIELDS, renderComment, renderIssue, renderUser, selectFields } from './render.js';
import type { RenderCtx } from './render.js';
import type { StatsRecorder } from './stats.js';
import { routeKey } from './stats.js';
import type { CommentRec, FieldChanges, HistoryRec, IssueRec, JiraStore, Project, UserRec, Variant } from './store.js';
import { formatJiraDate } from './time.js';

export interface RestEvents {
  /** A comment was added (any API): fires `issue_commented`. */
  commented(issue: IssueRec, comment: CommentRec, actor: string | null, at: number): void;
  /** Fields changed through the API: fires `issue_updated`. */
  edited(issue: IssueRec, history: HistoryRec, actor: string | null, at: number): void;
}

export interface RestDeps {
  store: JiraStore;
  auth: JiraAuth;
  stats: StatsRecorder;
  variant: Variant;
  cloudId: string;
  /** Origin used in `self` links (configured base URL, else the listening URL, else the Host header). */
  origin(req: FastifyRequest): string;
  events: RestEvents;
  /** Permissions taken away from an account (GET /mypermissions); everything else is granted. */
  denied?: (accountId: string, projectKey: string, permission: string) => boolean;
}

/** The project permissions GET /mypermissions reports (Jira's keys and names). */
const PROJECT_PERMISSIONS: Record<string, { id: string; name: string }> = {
  BROWSE_PROJECTS: { id: '10', name: 'Browse Projects' },
  ADD_COMMENTS: { id: '15', name: 'Add Comments' },
  CREATE_ISSUES: { id: '11', name: 'Create Issues' },
  EDIT_ISSUES: { id: '12', name: 'Edit Issues' },
  LINK_ISSUES: { id: '21', name: 'Link Issues' },
  TRANSITION_ISSUES: { id: '46', name: 'Transition Issues' },
  ASSIGN_ISSUES: { id: '13', name: 'Assign Issues' },
};

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A request answered early (auth, validation): the handler stops. */
class Answered extends Error {}

interface Ctx {
  req: FastifyRequest;
  reply: FastifyReply;
  route: string;
  user: UserRec;
  api: 2 | 3;
  r: RenderCtx;
  params: Record<string, string>;
  body: unknown;
  now: number;
  q(name: string): string | undefined;
  qs(name: string): string[];
  /** Answers 4xx with `body` and records the request in stats().invalidBodies. */
  reject(status: number, body: unknown, details: string[]): never;
  /** Answers without recording (lookups of things that do not exist, etc.). */
  answer(status: number, body?: unknown): never;
}

export const REMOVED_SEARCH = jiraError([
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
]);
const UNBOUNDED = 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.';
const NOT_AUTHENTICATED = 'You are not authenticated. Authentication required to perform this operation.';
const CANNOT_SET = (f: string) => `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`;

const tokenEncode = (offset: number, jql: string) => Buffer.from(JSON.stringify({ o: offset, q: jql })).toString('base64url');
function tokenDecode(token: string, jql: string): number | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    return typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.q === jql ? t.o : undefined;
  } catch {
    return undefined;
  }
}

export function registerRestApi(app: FastifyInstance, d: RestDeps): void {
  const { store, variant } = d;
  const cloud = variant === 'cloud';
  const api: 2 | 3 = cloud ? 3 : 2;
  const P = `/rest/api/${api}`;

  type Handler = (c: Ctx) => unknown | Promise<unknown>;

  /** Registers `template` (OpenAPI style, `{param}`) directly and, on Cloud, under /ex/jira/{cloudId}. */
  function route(method: 'GET' | 'POST' | 'PUT' | 'DELETE', template: string, handler: Handler, o: { validate?: boolean; jsm?: boolean } = {}): void {
    const prefixes = cloud ? ['', '/ex/jira/{cloudId}'] : [''];
    for (const prefix of prefixes) {
      const url = `${prefix}${template}`.replace(/\{(\w+)\}/g, ':$1');
      app.route({
        method,
        url,
        handler: async (req, reply) => {
          try {
            return await run(req, reply, template, prefix !== '', handler, o);
          } catch (e) {
            if (e instanceof Answered) return reply;
            throw e;
          }
        },
      });
    }
  }

  async function run(req: FastifyRequest, reply: FastifyReply, template: string, viaGateway: boolean, handler: Handler, o: { validate?: boolean; jsm?: boolean }) {
    const rk = routeKey(req);
    const params = { ...(req.params as Record<string, string>) };
    const answer = (status: number, body?: unknown): never => {
      void reply.code(status);
      if (body === undefined) void reply.send();
      else void reply.send(body);
      throw new Answered();
    };
    const reject = (status: number, body: unknown, details: string[]): never => {
      d.stats.invalid(rk, details);
      return answer(status, body);
    };

    // --- authentication
    if (viaGateway) {
      const a = d.auth.authenticate(req.headers.authorization, false);
      if (!a.ok || params.cloudId !== d.cloudId) answer(401, { code: 401, message: 'Unauthorized' });
    }
    const auth = d.auth.authenticate(req.headers.authorization, true);
    if (!auth.ok) {
      if (auth.reason === 'failed') void reply.header('x-seraph-loginreason', 'AUTHENTICATED_FAILED');
      void reply.header('www-authenticate', cloud ? 'Basic realm="protected-area"' : 'OAuth realm="jira"');
      return answer(401, jiraError([NOT_AUTHENTICATED]));
    }
    const user = store.users.get(auth.accountId)!;

    // --- body
    let body: unknown;
    const raw = typeof req.body === 'string' ? req.body : '';
    if (raw.trim() !== '') {
      const ct = String(req.headers['content-type'] ?? '').toLowerCase();
      if (!ct.includes('json')) reject(415, jiraError(['Unsupported Media Type: send the body as application/json.']), [`content-type ${ct || '(none)'} is not application/json`]);
      try {
        body = JSON.parse(raw);
      } catch (e) {
        reject(400, o.jsm ? jsmError('The request body is not valid JSON.', 'sd.request.body.invalid') : jiraError([`Unexpected character in the request body: it is not valid JSON (${(e as Error).message}).`]), ['body is not valid JSON']);
      }
    }
    if (o.validate) {
      const check = checkJiraRequest(req.method, template, body);
      if (check.details.length > 0) {
        const first = check.errorMessages[0] ?? Object.values(check.errors)[0] ?? 'Invalid request';
        reject(400, o.jsm ? jsmError(first, 'sd.request.validation.failed') : jiraError(check.errorMessages, check.errors), check.details);
      }
    }

    const origin = d.origin(req).replace(/\/+$/, '');
    const base = viaGateway ? `${origin}/ex/jira/${encodeURIComponent(d.cloudId)}` : origin;
    const query = req.query as Record<string, string | string[] | undefined>;
    const ctx: Ctx = {
      req,
      reply,
      route: rk,
      user,
      api,
      r: { store, base, api, tz: user.timeZone },
      params,
      body,
      now: Date.now(),
      q: (n) => {
        const v = query[n];
        return Array.isArray(v) ? v[0] : v;
      },
      qs: (n) => {
        const v = query[n];
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      },
      reject,
      answer,
    };
    const out = await handler(ctx);
    if (out !== undefined && !reply.sent) return reply.send(out);
    return reply;
  }

  const mustIssue = (c: Ctx): IssueRec => store.issue(c.params.issueIdOrKey ?? '') ?? c.answer(404, ISSUE_NOT_FOUND);

  const intParam = (c: Ctx, name: string, value: unknown, dflt: number): number => {
    if (value === undefined || value === null || value === '') return dflt;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 0) return c.reject(400, jiraError([`The value '${String(value)}' is not valid for the parameter '${name}'.`]), [`${name} must be a non-negative integer`]);
    return n;
  };

  // ---- search ---------------------------------------------------------------------------------

  function runJql(c: Ctx, jql: string, bounded: boolean, reconcile: string[] = []): IssueRec[] {
    let compiled;
    try {
      compiled = compileJql(jql, { store, now: c.now, timeZone: c.user.timeZone, currentUser: c.user });
    } catch (e) {
      if (e instanceof JqlError) return c.reject(400, jiraError([e.message]), [`jql: ${e.message}`]);
      throw e;
    }
    if (bounded && !compiled.where) return c.reject(400, jiraError([UNBOUNDED]), [`jql: ${UNBOUNDED}`]);
    const view = store.searchView();
    if (reconcile.length) {
      const ids = new Set(reconcile);
      for (let k = 0; k < view.length; k++) if (ids.has(view[k]!.id)) view[k] = store.issues.get(view[k]!.id)!;
      for (const id of ids) if (!view.some((v) => v.id === id) && store.issues.has(id)) view.push(store.issues.get(id)!);
    }
    const where = compiled.where ?? (() => true);
    return view.filter(where).sort(compiled.compare);
  }

  if (cloud) {
    const searchJql = (c: Ctx, p: { jql: unknown; nextPageToken: unknown; maxResults: unknown; fields: string[]; expand: unknown; properties: string[]; reconcile: string[] }) => {
      const jql = typeof p.jql === 'string' ? p.jql : '';
      const fields = selectFields(p.fields, ['id']);
      const cap = fields.idOnly || p.fields.join(',').split(',').every((f) => f.trim() === 'id' || f.trim() === 'key') ? 5000 : 100;
      const max = Math.min(Math.max(intParam(c, 'maxResults', p.maxResults, 50), 1), cap);
      let offset = 0;
      if (p.nextPageToken !== undefined && p.nextPageToken !== null && p.nextPageToken !== '') {
        const o = tokenDecode(String(p.nextPageToken), jql);
        if (o === undefined) return c.reject(400, jiraError(['The provided next page token is invalid or expired.']), ['nextPageToken does not belong to this JQL query']);
        offset = o;
      }
      const all = runJql(c, jql, true, p.reconcile);
      const page = all.slice(offset, offset + max);
      const expand = new Set(String(p.expand ?? '').split(',').map((s) => s.trim()).filter(Boolean));
      const isLast = offset + max >= all.length;
      return {
        issues: page.map((i) => renderIssue(i, c.r, { fields, expand, properties: p.properties })),
        ...(isLast ? {} : { nextPageToken: tokenEncode(offset + max, jql) }),
        isLast,
      };
    };
    route('GET', '/rest/api/3/search/jql', (c) =>
      searchJql(c, { jql: c.q('jql'), nextPageToken: c.q('nextPageToken'), maxResults: c.q('maxResults'), fields: c.qs('fields'), expand: c.q('expand'), properties: c.qs('properties'), reconcile: c.qs('reconcileIssues').flatMap((s) => s.split(',')) }),
    );
    route(
      'POST',
      '/rest/api/3/search/jql',
      (c) => {
        const b = isObj(c.body) ? c.body : {};
        return searchJql(c, {
          jql: b.jql,
          nextPageToken: b.nextPageToken,
          maxResults: b.maxResults,
          fields: Array.isArray(b.fields) ? (b.fields as string[]) : [],
          expand: b.expand,
          properties: Array.isArray(b.properties) ? (b.properties as string[]) : [],
          reconcile: Array.isArray(b.reconcileIssues) ? (b.reconcileIssues as unknown[]).map(String) : [],
        });
      },
      { validate: true },
    );
    for (const m of ['GET', 'POST'] as const) {
      route(m, '/rest/api/3/search', (c) => c.answer(410, REMOVED_SEARCH));
      route(m, '/rest/api/2/search', (c) => c.answer(410, REMOVED_SEARCH));
    }
  } else {
    const search = (c: Ctx, p: { jql: unknown; startAt: unknown; maxResults: unknown; fields: string[]; expand: unknown; properties: string[] }) => {
      const jql = typeof p.jql === 'string' ? p.jql : '';
      const startAt = intParam(c, 'startAt', p.startAt, 0);
      const max = Math.min(intParam(c, 'maxResults', p.maxResults, 50), 1000);
      const fields = selectFields(p.fields, ['*navigable']);
      const all = runJql(c, jql, false);
      const expand = new Set((Array.isArray(p.expand) ? p.expand.join(',') : String(p.expand ?? '')).split(',').map((s) => s.trim()).filter(Boolean));
      return {
        expand: 'schema,names',
        startAt,
        maxResults: max,
        total: all.length,
        issues: all.slice(startAt, startAt + max).map((i) => renderIssue(i, c.r, { fields: fields.idOnly ? selectFields(['id', 'key'], []) : fields, expand, properties: p.properties })),
      };
    };
    route('GET', '/rest/api/2/search', (c) =>
      search(c, { jql: c.q('jql'), startAt: c.q('startAt'), maxResults: c.q('maxResults'), fields: c.qs('fields'), expand: c.q('expand'), properties: c.qs('properties') }),
    );
    route(
      'POST',
      '/rest/api/2/search',
      (c) => {
        const b = isObj(c.body) ? c.body : {};
        return search(c, { jql: b.jql, startAt: b.startAt, maxResults: b.maxResults, fields: Array.isArray(b.fields) ? (b.fields as string[]) : [], expand: b.expand, properties: Array.isArray(b.properties) ? (b.properties as string[]) : [] });
      },
      { validate: true },
    );
  }

  // ---- issues -----------------------------------------------------------------------------------

  /** IssueUpdateDetails.fields → resolved changes, or Jira's per-field errors. */
  function resolveFields(c: Ctx, fields: Json, project: Project | undefined, creating: boolean): { changes: FieldChanges; project?: Project; errors: Record<string, string> } {
    const errors: Record<string, string> = {};
    const changes: FieldChanges = {};
    let proj = project;
    const userRef = (field: string, v: unknown): string | null | undefined => {
      if (v === null) return null;
      const ref = isObj(v) ? (v.accountId ?? v.id ?? (cloud ? undefined : (v.name ?? v.key))) : undefined;
      const u = typeof ref === 'string' ? (cloud ? store.users.get(ref) : store.findUser(ref)) : undefined;
      if (!u) {
        errors[field] = typeof ref === 'string' ? `User '${ref}' does not exist.` : `Specify a valid value for ${field}`;
        return undefined;
      }
      return u.accountId;
    };
    if (creating) {
      const p = fields.project;
      const ref = isObj(p) ? (p.key ?? p.id) : undefined;
      proj = typeof ref === 'string' || typeof ref === 'number' ? store.project(String(ref)) : undefined;
      if (!proj) errors.project = 'Specify a valid project ID or key';
    }
    for (const [name, v] of Object.entries(fields)) {
      switch (name) {
        case 'project':
          if (!creating) errors.project = CANNOT_SET('project');
          break;
        case 'summary':
          if (typeof v === 'string') changes.summary = v;
          break;
        case 'description':
        case 'environment':
          changes[name] = v;
          break;
        case 'issuetype': {
          const ref = isObj(v) ? (v.id ?? v.name) : undefined;
          const t = typeof ref === 'string' ? store.issueType(ref) : undefined;
          if (!t) errors.issuetype = 'Specify a valid issue type';
          else changes.issueTypeId = t.id;
          break;
        }
        case 'priority': {
          if (v === null) {
            changes.priorityId = null;
            break;
          }
          // {id} is matched against ids only, {name} against names only (Jira does not read a name as an id).
          const ref = isObj(v) ? (v.id ?? v.name) : undefined;
          const found = typeof ref === 'string' ? store.priority(ref) : undefined;
          const p = found && (isObj(v) && v.id !== undefined ? found.id === v.id : true) ? found : undefined;
          if (!p) errors.priority = `Specify a valid priority (id or name): '${String(ref)}' does not exist.`;
          else changes.priorityId = p.id;
          break;
        }
        case 'assignee':
        case 'reporter': {
          const id = userRef(name, v);
          if (id !== undefined) changes[name] = id;
          break;
        }
        case 'labels':
          if (Array.isArray(v)) changes.labels = v.map(String);
          break;
        case 'components': {
          if (!Array.isArray(v)) break;
          const ids: string[] = [];
          for (const x of v) {
            const comp = proj && isObj(x) ? store.component(proj, { id: typeof x.id === 'string' ? x.id : undefined, name: typeof x.name === 'string' ? x.name : undefined }) : undefined;
            if (!comp) errors.components = isObj(x) && x.id !== undefined ? `Component id '${String(x.id)}' is not valid` : `Component name '${isObj(x) ? String(x.name) : String(x)}' is not valid`;
            else ids.push(comp.id);
          }
          changes.components = ids;
          break;
        }
        case 'duedate':
          changes.duedate = (v as string | null) ?? null;
          break;
        default:
          if (/^customfield_\d+$/.test(name)) {
            if (v !== null && typeof v !== 'string') errors[name] = 'Operation value must be a string';
            else (changes.custom ??= {})[name] = v;
          } else {
            errors[name] = CANNOT_SET(name);
          }
      }
    }
    return { changes, ...(proj ? { project: proj } : {}), errors };
  }

  const commentVisibility = (props: unknown): boolean => {
    if (!Array.isArray(props)) return true;
    const p = props.find((x) => isObj(x) && x.key === 'sd.public.comment') as Json | undefined;
    return !(p && isObj(p.value) && p.value.internal === true);
  };

  function addComment(c: Ctx, issue: IssueRec, body: Json): CommentRec {
    const properties = Array.isArray(body.properties) ? (body.properties as Array<{ key: string; value: unknown }>) : [];
    const comment = store.addComment(issue, { author: c.user.accountId, body: body.body, jsdPublic: commentVisibility(properties), properties, visibility: body.visibility }, c.now);
    d.events.commented(issue, comment, c.user.accountId, c.now);
    return comment;
  }

  route('GET', `${P}/issue/{issueIdOrKey}`, (c) => {
    const issue = mustIssue(c);
    const fields = selectFields(c.qs('fields'), ['*all']);
    const expand = new Set((c.q('expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    return renderIssue(issue, c.r, { fields: fields.idOnly ? selectFields(['id', 'key'], []) : fields, expand, properties: c.qs('properties') });
  });

  route(
    'POST',
    `${P}/issue`,
    (c) => {
      const b = c.body as Json;
      const fields = isObj(b.fields) ? b.fields : {};
      const { changes, project, errors } = resolveFields(c, fields, undefined, true);
      if (Object.keys(errors).length || !project) c.reject(400, jiraError([], errors), Object.entries(errors).map(([k, v]) => `${k}: ${v}`));
      const issue = store.createIssue(project!.key, { ...changes, summary: changes.summary ?? '', issueTypeId: changes.issueTypeId!, creator: c.user.accountId, reporter: changes.reporter === undefined ? c.user.accountId : changes.reporter }, c.now);
      if (Array.isArray(b.properties)) for (const p of b.properties as Json[]) store.setProperty(issue, String(p.key), p.value);
      return c.reply.code(201).send({ id: issue.id, key: issue.key, self: `${c.r.base}${P}/issue/${issue.id}` });
    },
    { validate: true },
  );

  route(
    'PUT',
    `${P}/issue/{issueIdOrKey}`,
    (c) => {
      const issue = mustIssue(c);
      const b = c.body as Json;
      const fields = isObj(b.fields) ? b.fields : {};
      const project = store.projects.get(issue.projectKey)!;
      const { changes, errors } = resolveFields(c, fields, project, false);
      const comments: Json[] = [];
      if (isObj(b.update)) {
        for (const [name, ops] of Object.entries(b.update)) {
          if (name in fields) {
            errors[name] = `Field '${name}' cannot be set in both 'fields' and 'update'.`;
            continue;
          }
          for (const op of Array.isArray(ops) ? (ops as Json[]) : []) {
            const [verb, value] = Object.entries(op)[0] ?? [];
            if (name === 'comment' && verb === 'add' && isObj(value)) comments.push(value);
            else if (name === 'labels' && (verb === 'add' || verb === 'remove' || verb === 'set')) {
              const cur = changes.labels ?? [...issue.labels];
              if (verb === 'add' && !cur.includes(String(value))) cur.push(String(value));
              changes.labels = verb === 'set' ? (value as unknown[]).map(String) : verb === 'remove' ? cur.filter((l) => l !== value) : cur;
            } else if (verb === 'set' && (['summary', 'description', 'environment', 'duedate', 'assignee', 'priority'].includes(name) || /^customfield_\d+$/.test(name))) {
              const r = resolveFields(c, { [name]: value }, project, false);
              Object.assign(errors, r.errors);
              Object.assign(changes, { ...r.changes, custom: { ...(changes.custom ?? {}), ...(r.changes.custom ?? {}) } });
            } else errors[name] = CANNOT_SET(name);
          }
        }
      }
      if (Object.keys(errors).length) c.reject(400, jiraError([], errors), Object.entries(errors).map(([k, v]) => `${k}: ${v}`));
      const items = store.editIssue(issue, changes, c.user.accountId, c.now, (v) => adfToText(v));
      if (items.length) d.events.edited(issue, issue.histories[issue.histories.length - 1]!, c.user.accountId, c.now);
      for (const cm of comments) addComment(c, issue, cm);
      if (Array.isArray(b.properties)) for (const p of b.properties as Json[]) store.setProperty(issue, String(p.key), p.value);
      if (c.q('returnIssue') === 'true') return renderIssue(issue, c.r, { fields: ALL_FIELDS });
      return c.reply.code(204).send();
    },
    { validate: true },
  );

  // ---- comments ---------------------------------------------------------------------------------

  route('GET', `${P}/issue/{issueIdOrKey}/comment`, (c) => {
    const issue = mustIssue(c);
    const startAt = intParam(c, 'startAt', c.q('startAt'), 0);
    const maxResults = Math.min(intParam(c, 'maxResults', c.q('maxResults'), 100), 5000);
    const orderBy = c.q('orderBy');
    if (orderBy !== undefined && !['created', '-created', '+created'].includes(orderBy)) {
      c.reject(400, jiraError([`The orderBy value '${orderBy}' is not supported: use created, -created or +created.`]), [`orderBy: ${orderBy}`]);
    }
    const expand = new Set((c.q('expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    const sorted = [...issue.comments].sort((a, b) => (a.created - b.created || Number(a.id) - Number(b.id)) * (orderBy === '-created' ? -1 : 1));
    const page = sorted.slice(startAt, startAt + maxResults);
    return { startAt, maxResults, total: sorted.length, comments: page.map((cm) => renderComment(cm, issue, c.r, expand)) };
  });

  route('GET', `${P}/issue/{issueIdOrKey}/comment/{id}`, (c) => {
    const issue = mustIssue(c);
    const cm = issue.comments.find((x) => x.id === c.params.id) ?? c.answer(404, jiraError([`Can not find a comment for the id: ${c.params.id}.`]));
    return renderComment(cm, issue, c.r, new Set((c.q('expand') ?? '').split(',')));
  });

  route(
    'POST',
    `${P}/issue/{issueIdOrKey}/comment`,
    (c) => {
      const issue = mustIssue(c);
      const comment = addComment(c, issue, c.body as Json);
      return c.reply.code(201).send(renderComment(comment, issue, c.r, new Set((c.q('expand') ?? '').split(','))));
    },
    { validate: true },
  );

  // ---- issue properties -------------------------------------------------------------------------

  const propertyKeyOk = (c: Ctx): string => {
    const key = c.params.propertyKey ?? '';
    if (key.length === 0 || key.length > 255) c.reject(400, jiraError(['The property key must be between 1 and 255 characters long.']), [`propertyKey length ${key.length}`]);
    return key;
  };

  route('GET', `${P}/issue/{issueIdOrKey}/properties`, (c) => {
    const issue = mustIssue(c);
    return { keys: Object.keys(issue.properties).map((k) => ({ self: `${c.r.base}${P}/issue/${issue.id}/properties/${encodeURIComponent(k)}`, key: k })) };
  });

  route('GET', `${P}/issue/{issueIdOrKey}/properties/{propertyKey}`, (c) => {
    const issue = mustIssue(c);
    const key = c.params.propertyKey ?? '';
    if (!Object.prototype.hasOwnProperty.call(issue.properties, key)) c.answer(404, jiraError([`The property with key '${key}' does not exist.`]));
    return { key, value: issue.properties[key] };
  });

  route(
    'PUT',
    `${P}/issue/{issueIdOrKey}/properties/{propertyKey}`,
    (c) => {
      const issue = mustIssue(c);
      const key = propertyKeyOk(c);
      if (c.body === undefined) c.reject(400, jiraError(['The property value cannot be empty.']), ['empty body']);
      if (JSON.stringify(c.body).length > PROPERTY_VALUE_MAX_CHARS) c.reject(400, jiraError([`The property value must not exceed ${PROPERTY_VALUE_MAX_CHARS} characters.`]), ['too long']);
      const result = store.setProperty(issue, key, c.body);
      return c.reply.code(result === 'created' ? 201 : 200).send();
    },
    { validate: true },
  );

  route('DELETE', `${P}/issue/{issueIdOrKey}/properties/{propertyKey}`, (c) => {
    const issue = mustIssue(c);
    const key = c.params.propertyKey ?? '';
    if (!Object.prototype.hasOwnProperty.call(issue.properties, key)) c.answer(404, jiraError([`The property with key '${key}' does not exist.`]));
    delete issue.properties[key];
    return c.reply.code(204).send();
  });

  // ---- links ------------------------------------------------------------------------------------

  route(
    'POST',
    `${P}/issueLink`,
    (c) => {
      const b = c.body as Json;
      const type = store.linkType({ id: b.type?.id, name: b.type?.name });
      if (!type) c.reject(404, jiraError([`No issue link type with name '${String(b.type?.name ?? b.type?.id)}' found.`]), [`type: unknown link type ${JSON.stringify(b.type)} (known: Blocks, Cloners, Duplicate, Relates)`]);
      const side = (s: Json) => store.issue(String(s.key ?? s.id ?? ''));
      const inward = side(b.inwardIssue);
      const outward = side(b.outwardIssue);
      if (!inward || !outward) c.reject(404, jiraError(['Issue Does Not Exist']), [`${!inward ? 'inwardIssue' : 'outwardIssue'}: no such issue`]);
      store.addLink(type!, inward!, outward!, c.user.accountId, c.now);
      if (isObj(b.comment)) addComment(c, outward!, b.comment);
      return c.reply.code(201).send();
    },
    { validate: true },
  );

  // ---- users ------------------------------------------------------------------------------------

  const userNotFound = jiraError(['Specified user does not exist or you do not have required permissions'], {});
  route('GET', `${P}/user`, (c) => {
    if (cloud) {
      if (c.q('username') !== undefined || c.q('key') !== undefined) {
        c.reject(400, jiraError(['The query parameter \'username\' is not supported in GDPR strict mode.']), ['username/key are not supported on Jira Cloud: use accountId']);
      }
      const id = c.q('accountId');
      if (!id) return c.reject(400, jiraError(['The query parameter \'accountId\' is required.']), ['accountId: required']);
      const u = store.users.get(id) ?? c.answer(404, userNotFound);
      return renderUser(u, c.r, true);
    }
    const ref = c.q('username') ?? c.q('key');
    if (!ref) return c.reject(400, jiraError(['The username query parameter was not provided']), ['username: required']);
    const u = [...store.users.values()].find((x) => x.name === ref || x.key === ref) ?? c.answer(404, jiraError([`The user named '${ref}' does not exist`]));
    return renderUser(u, c.r, true);
  });

  route('GET', `${P}/myself`, (c) => renderUser(c.user, c.r, true));

  // What the calling user may do in a project (the connection check asks before anything is written).
  route('GET', `${P}/mypermissions`, (c) => {
    const wanted = (c.q('permissions') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    if (cloud && wanted.length === 0) return c.reject(400, jiraError(["The 'permissions' query parameter is required."]), ['permissions: required']);
    const unknown = wanted.filter((p) => !PROJECT_PERMISSIONS[p]);
    if (unknown.length) return c.reject(400, jiraError([`Unrecognized permission keys: ${unknown.join(', ')}`]), [`permissions: unknown ${unknown.join(', ')}`]);
    const projectKey = c.q('projectKey');
    if (projectKey && !store.projects.get(projectKey.toUpperCase())) return c.answer(404, jiraError([`No project could be found with key '${projectKey}'.`]));
    const keys = wanted.length ? wanted : Object.keys(PROJECT_PERMISSIONS);
    return {
      permissions: Object.fromEntries(
        keys.map((k) => [k, { id: PROJECT_PERMISSIONS[k]!.id, key: k, name: PROJECT_PERMISSIONS[k]!.name, type: 'PROJECT', description: PROJECT_PERMISSIONS[k]!.name, havePermission: !d.denied?.(c.user.accountId, (projectKey ?? '').toUpperCase(), k) }]),
      ),
    };
  });

  // ---- JSM --------------------------------------------------------------------------------------

  route(
    'POST',
    '/rest/servicedeskapi/request/{issueIdOrKey}/comment',
    (c) => {
      const ref = c.params.issueIdOrKey ?? '';
      const issue = store.issue(ref);
      const project = issue ? store.projects.get(issue.projectKey) : undefined;
      if (!issue || project?.type !== 'service_desk') {
        return c.answer(404, jsmError(`The request with key or id '${ref}' does not exist, or you do not have permission to view it.`, 'sd.request.error.not.found', [ref]));
      }
      const b = c.body as { body: string; public: boolean };
      const comment = store.addComment(issue, { author: c.user.accountId, body: cloud ? textToAdf(b.body) : b.body, jsdPublic: b.public, properties: [{ key: 'sd.public.comment', value: { internal: !b.public } }] }, c.now);
      d.events.commented(issue, comment, c.user.accountId, c.now);
      const author = renderUser(c.user, c.r);
      const created = comment.created;
      return c.reply.code(201).send({
        _expands: ['attachment', 'renderedBody'],
        id: comment.id,
        body: b.body,
        public: b.public,
        author: author && {
          ...(cloud ? { accountId: c.user.accountId } : { key: c.user.key, name: c.user.name }),
          ...(c.user.hideEmail ? {} : { emailAddress: c.user.email }),
          displayName: c.user.displayName,
          active: c.user.active,
          timeZone: c.user.timeZone,
          _links: { jiraRest: author.self, avatarUrls: author.avatarUrls, self: author.self },
        },
        created: { iso8601: formatJiraDate(created, c.user.timeZone).replace(/\.\d{3}/, ''), jira: formatJiraDate(created, c.user.timeZone), friendly: 'Today', epochMillis: created },
        _links: { self: `${c.r.base}/rest/servicedeskapi/request/${issue.id}/comment/${comment.id}` },
      });
    },
    { validate: true, jsm: true },
  );

}
