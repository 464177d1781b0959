/** `/api/now/table/:table` and `/api/now/v2/table/:table` — the ServiceNow Table API. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from './auth.js';
import { compileQuery, matchQuery, parseEncodedQuery, sortRows } from './encoded-query.js';
import { parseDisplayMode, parseFieldList, renderRecord } from './render.js';
import type { RenderOptions } from './render.js';
import type { SnRecord, SnStore } from './store.js';
import { NOT_AUTHENTICATED, NOT_FOUND, snError } from './util.js';

export const DEFAULT_LIMIT = 10000;
const JSON_CT = 'application/json;charset=UTF-8';
const TABLE_NAME_RE = /^[a-z][a-z0-9_]*$/;

export interface TableApiDeps {
  store: SnStore;
  auth: AuthService;
  instanceUrl(req: FastifyRequest): string;
  /** Called after every successful insert/update through the API. */
  onWrite?(table: string, before: SnRecord | undefined, after: SnRecord): void;
}

interface Params {
  table: string;
  sys_id?: string;
}

function queryParams(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i >= 0 ? req.url.slice(i + 1) : '');
}

function intParam(v: string | null, fallback: number, min: number): number {
  if (v === null || !/^\d+$/.test(v.trim())) return fallback;
  const n = Number(v);
  return n >= min ? n : fallback;
}

function invalidTable(reply: FastifyReply, table: string): FastifyReply {
  return reply.code(400).type(JSON_CT).send(snError(`Invalid table ${table}`, null));
}

/** Parses the raw body (all bodies arrive as strings, see sim.ts); undefined = not a JSON object. */
function parseBody(req: FastifyRequest): Record<string, unknown> | undefined {
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function renderOptions(req: FastifyRequest, qp: URLSearchParams, deps: TableApiDeps): RenderOptions {
  return {
    displayValue: parseDisplayMode(qp.get('sysparm_display_value') ?? undefined),
    excludeReferenceLink: (qp.get('sysparm_exclude_reference_link') ?? '').toLowerCase() === 'true',
    fields: parseFieldList(qp.get('sysparm_fields') ?? undefined),
    instanceUrl: deps.instanceUrl(req),
  };
}

/** `<url>;rel="first",<url>;rel="prev",...` — absent when everything fits on one page. */
export function buildLinkHeader(base: string, path: string, qp: URLSearchParams, offset: number, limit: number, total: number): string | undefined {
  if (offset === 0 && total <= limit) return undefined;
  const url = (o: number): string => {
    const p = new URLSearchParams(qp);
    p.set('sysparm_limit', String(limit));
    p.set('sysparm_offset', String(o));
    return `${base}${path}?${p.toString()}`;
  };
  const links: string[] = [`<${url(0)}>;rel="first"`];
  if (offset > 0) links.push(`<${url(Math.max(0, offset - limit))}>;rel="prev"`);
  if (offset + limit < total) links.push(`<${url(offset + limit)}>;rel="next"`);
  const last = total > 0 ? Math.floor((total - 1) / limit) * limit : 0;
  links.push(`<${url(last)}>;rel="last"`);
  return links.join(',');
}

export function registerTableApi(app: FastifyInstance, deps: TableApiDeps): void {
  const { store, auth } = deps;

  const guard = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
    const user = auth.authenticate(req.headers.authorization);
    if (!user) {
      void reply.code(401).type(JSON_CT).header('www-authenticate', 'BASIC realm="Service-now"').send(NOT_AUTHENTICATED);
      return undefined;
    }
    const accept = String(req.headers.accept ?? '*/*').toLowerCase();
    if (!/json|\*\/\*|application\/\*/.test(accept)) {
      void reply.code(406).type(JSON_CT).send(snError('Not Acceptable', `Unsupported Accept header: ${accept}`));
      return undefined;
    }
    return user;
  };

  const readBody = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | undefined => {
    const ct = String(req.headers['content-type'] ?? '').toLowerCase();
    if (typeof req.body === 'string' && req.body.trim() !== '' && ct !== '' && !ct.includes('json')) {
      void reply.code(415).type(JSON_CT).send(snError('Unsupported Media Type', `Content-Type ${ct} is not supported`));
      return undefined;
    }
    const body = parseBody(req);
    if (!body) void reply.code(400).type(JSON_CT).send(snError('Exception while reading request', 'The payload is not valid JSON.'));
    return body;
  };

  const methodNotAllowed = (reply: FastifyReply): FastifyReply =>
    reply.code(405).type(JSON_CT).send(snError('Method not Supported', 'Requested method is not supported by this resource'));

  const listOrCreate = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const user = guard(req, reply);
    if (!user) return reply;
    const { table } = req.params;
    const qp = queryParams(req);
    if (req.method === 'GET') {
      if (!store.hasTable(table)) return invalidTable(reply, table);
      const q = compileQuery(parseEncodedQuery(qp.get('sysparm_query') ?? undefined), (f) => store.isKnownField(table, f));
      const get = (r: SnRecord, f: string): string => store.value(table, r, f) ?? '';
      const matched = sortRows(
        store.rows(table).filter((r) => matchQuery(q.queries, (f) => get(r, f))),
        q.orderBy,
        get,
      );
      const limit = intParam(qp.get('sysparm_limit'), DEFAULT_LIMIT, 1);
      const offset = intParam(qp.get('sysparm_offset'), 0, 0);
      const page = matched.slice(offset, offset + limit);
      const opts = renderOptions(req, qp, deps);
      if ((qp.get('sysparm_no_count') ?? '').toLowerCase() !== 'true') reply.header('x-total-count', String(matched.length));
      const path = req.url.split('?')[0] ?? '';
      const link = buildLinkHeader(opts.instanceUrl, path, qp, offset, limit, matched.length);
      if (link) reply.header('link', link);
      return reply.code(200).type(JSON_CT).send({ result: page.map((r) => renderRecord(store, table, r, opts)) });
    }
    if (req.method === 'POST') {
      if (!TABLE_NAME_RE.test(table)) return invalidTable(reply, table);
      const body = readBody(req, reply);
      if (!body) return reply;
      const rec = store.insert(table, body, { user });
      deps.onWrite?.(table, undefined, rec);
      const opts = renderOptions(req, qp, deps);
      return reply
        .code(201)
        .type(JSON_CT)
        .header('location', `${opts.instanceUrl}/api/now/table/${table}/${rec.sys_id ?? ''}`)
        .send({ result: renderRecord(store, table, rec, opts) });
    }
    return methodNotAllowed(reply);
  };

  const oneRecord = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const user = guard(req, reply);
    if (!user) return reply;
    const { table } = req.params;
    const sysId = req.params.sys_id ?? '';
    const qp = queryParams(req);
    if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) return methodNotAllowed(reply);
    if (!store.hasTable(table)) return invalidTable(reply, table);
    if (req.method === 'GET') {
      const rec = store.get(table, sysId);
      if (!rec) return reply.code(404).type(JSON_CT).send(NOT_FOUND);
      return reply.code(200).type(JSON_CT).send({ result: renderRecord(store, table, rec, renderOptions(req, qp, deps)) });
    }
    if (req.method === 'DELETE') {
      if (!store.delete(table, sysId)) return reply.code(404).type(JSON_CT).send(NOT_FOUND);
      return reply.code(204).send();
    }
    const body = readBody(req, reply);
    if (!body) return reply;
    const res = store.update(table, sysId, body, { user });
    if (!res) return reply.code(404).type(JSON_CT).send(NOT_FOUND);
    deps.onWrite?.(table, res.before, res.after);
    return reply.code(200).type(JSON_CT).send({ result: renderRecord(store, table, res.after, renderOptions(req, qp, deps)) });
  };

  for (const prefix of ['/api/now/table', '/api/now/v2/table']) {
    app.all<{ Params: Params }>(`${prefix}/:table`, listOrCreate);
    app.all<{ Params: Params }>(`${prefix}/:table/:sys_id`, oneRecord);
  }
}
