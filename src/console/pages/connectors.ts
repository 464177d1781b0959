import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskSecrets } from '../../connectors/definition-secrets.js';
import { secretPathsOf, type ConnectorDefinition } from '../../connectors/registry.js';
import type { ConnectionCheck } from '../../connectors/types.js';
import { apiProblem } from '../admin-api.js';
import { createDefaults, formToBody, formView, type FormError, type Kind } from '../connector-form.js';
import { consoleActor, pageContext, type ConsoleCtx } from '../context.js';
import { connectorHealth, duration, recentDeliveries } from '../health.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';

type IdReq = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>;
type Body = Record<string, unknown>;

const NOTICES: Record<string, string> = {
  created: 'Connector created. Test the connection next, then set up push.',
  saved: 'Saved.',
  unchanged: 'Nothing changed.',
  polled: 'A poll was queued; it runs within seconds.',
  deleted: 'Connector deleted.',
  'rules-saved': 'Rules saved. They apply to closures decided from now on.',
};
export const noticeOf = (q: Record<string, string | undefined>) => (q.notice ? NOTICES[q.notice] : undefined);

export function healthView(h: Awaited<ReturnType<typeof connectorHealth>>[number]) {
  return {
    ...h,
    pollAgo: h.poll?.lagSeconds !== undefined ? duration(h.poll?.lagSeconds ?? null) : '—',
    cursorBehind: duration(h.poll?.cursorBehindSeconds ?? null),
    usesPoll: h.mode !== 'push',
    usesPush: h.mode !== 'poll',
    itsmErrorsClass: h.itsm.errors > 0 ? 'bad' : 'ok',
  };
}

export function registerConnectorPages(scope: FastifyInstance, ctx: ConsoleCtx) {
  const mustGet = async (id: string) => {
    const def = /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? await ctx.connectors.get(id) : null;
    if (!def) throw Object.assign(new Error(`There is no connector "${id.slice(0, 63)}".`), { statusCode: 404 });
    return def;
  };
  const masked = (def: ConnectorDefinition) => maskSecrets(def as Record<string, unknown>, secretPathsOf(def.kind));

  scope.get('/admin/', async (req, reply) => {
    const defs = await ctx.connectors.list();
    const health = (await connectorHealth(ctx, defs)).map(healthView);
    return html(reply, 200, renderConsole('home', await pageContext(ctx, req, 'connectors', 'Connectors', { connectors: health, notice: noticeOf(req.query as Record<string, string>) })));
  });
  scope.get('/admin', async (_req, reply) => reply.redirect('/admin/', 301));

  const renderForm = async (req: FastifyRequest, reply: FastifyReply, status: number, kind: Kind, mode: 'create' | 'edit', values: { def?: Body; submitted?: Body }, errors: FormError[], message?: string, def?: ConnectorDefinition) => {
    const view = formView(kind, mode, values, errors);
    const title = mode === 'create' ? `New ${kind === 'servicenow' ? 'ServiceNow' : 'Jira'} connector` : `Edit ${def?.name ?? ''}`;
    return html(reply, status, renderConsole('connector-form', await pageContext(ctx, req, 'connectors', title, { kind, mode, groups: view.groups, otherErrors: view.otherErrors, message, connector: def ? { id: def.id, name: def.name } : null, action: mode === 'create' ? '/admin/console/connectors' : `/admin/console/connectors/${def!.id}/edit`, hasErrors: errors.length > 0 || !!message })));
  };

  scope.get<{ Querystring: { kind?: string } }>('/admin/console/connectors/new', async (req, reply) => {
    const kind: Kind = req.query.kind === 'jira' ? 'jira' : 'servicenow';
    return renderForm(req, reply, 200, kind, 'create', { def: createDefaults(kind) }, []);
  });

  scope.post('/admin/console/connectors', async (req, reply) => {
    const form = (req.body ?? {}) as Body;
    const kind: Kind = form.kind === 'jira' ? 'jira' : 'servicenow';
    const { body, errors } = formToBody(kind, form, 'create');
    if (errors.length) return renderForm(req, reply, 400, kind, 'create', { submitted: form }, errors, 'Some fields need fixing.');
    const r = await ctx.api.call(consoleActor(req).name, 'POST', '/admin/connectors', body);
    if (r.status === 201) return reply.redirect(`/admin/console/connectors/${encodeURIComponent(String(body.id))}?notice=created`, 303);
    const p = apiProblem(r);
    return renderForm(req, reply, r.status === 409 ? 409 : 400, kind, 'create', { submitted: form }, p.issues, p.issues.length ? 'Some fields need fixing.' : p.message);
  });

  scope.get('/admin/console/connectors/:id', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    return html(reply, 200, renderConsole('connector', await detailContext(req, def, null)));
  });

  const detailContext = async (req: FastifyRequest, def: ConnectorDefinition, check: ConnectionCheck | null) => {
    const [health] = await connectorHealth(ctx, [def]);
    return pageContext(ctx, req, 'connectors', def.name, {
      c: healthView(health!),
      def: masked(def),
      isServiceNow: def.kind === 'servicenow',
      settings: JSON.stringify(masked(def), null, 2),
      deliveries: await recentDeliveries(ctx, def.id),
      check: check ? { ...check, steps: (check.steps ?? []).map((s) => ({ ...s, state: s.ok === true ? 'ok' : s.ok === false ? 'failed' : 'not verified', badge: s.ok === true ? 'ok' : s.ok === false ? 'bad' : 'warn' })) } : null,
      notice: noticeOf((req.query ?? {}) as Record<string, string>),
    });
  };

  scope.get('/admin/console/connectors/:id/edit', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    return renderForm(req, reply, 200, def.kind, 'edit', { def: masked(def) }, [], undefined, def);
  });

  scope.post('/admin/console/connectors/:id/edit', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const form = (req.body ?? {}) as Body;
    const { body, errors } = formToBody(def.kind, form, 'edit');
    if (errors.length) return renderForm(req, reply, 400, def.kind, 'edit', { submitted: form, def: masked(def) }, errors, 'Some fields need fixing.', def);
    const r = await ctx.api.call(consoleActor(req).name, 'PATCH', `/admin/connectors/${encodeURIComponent(def.id)}`, body);
    if (r.status === 200) return reply.redirect(`/admin/console/connectors/${encodeURIComponent(def.id)}?notice=${r.body.action === 'unchanged' ? 'unchanged' : 'saved'}`, 303);
    const p = apiProblem(r);
    return renderForm(req, reply, 400, def.kind, 'edit', { submitted: form, def: masked(def) }, p.issues, p.issues.length ? 'Some fields need fixing.' : p.message, def);
  });

  scope.post('/admin/console/connectors/:id/test', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const r = await ctx.api.call<ConnectionCheck>(consoleActor(req).name, 'POST', `/admin/connectors/${encodeURIComponent(def.id)}/test`);
    const check: ConnectionCheck = r.status === 200 ? r.body : { ok: false, latencyMs: 0, message: apiProblem(r).message };
    return html(reply, 200, renderConsole('connector', await detailContext(req, def, check)));
  });

  scope.post('/admin/console/connectors/:id/poll', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const r = await ctx.api.call(consoleActor(req).name, 'POST', `/admin/connectors/${encodeURIComponent(def.id)}/poll`);
    if (r.status !== 202) throw Object.assign(new Error(apiProblem(r).message), { statusCode: 409 });
    return reply.redirect(`/admin/console/connectors/${encodeURIComponent(def.id)}?notice=polled`, 303);
  });

  scope.post('/admin/console/connectors/:id/delete', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const purge = (req.body as Body)?.purge === 'true';
    const r = await ctx.api.call(consoleActor(req).name, 'DELETE', `/admin/connectors/${encodeURIComponent(def.id)}${purge ? '?purge=true' : ''}`);
    if (r.status !== 204) throw Object.assign(new Error(apiProblem(r).message), { statusCode: r.status === 409 ? 409 : 400 });
    return reply.redirect('/admin/?notice=deleted', 303);
  });

  scope.get('/admin/console/connectors/:id/deliveries.json', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    return reply.type('application/json').send({ deliveries: await recentDeliveries(ctx, def.id) });
  });
}
