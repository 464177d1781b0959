import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditCsv } from '../../audit/audit-log.js';
import { auditFilterOf, auditQuerySchema } from '../../audit/filter.js';
import { apiProblem } from '../admin-api.js';
import { consoleActor, pageContext, type ConsoleCtx } from '../context.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';

const NOTICES: Record<string, string> = { retried: 'The job was put back in its queue.', discarded: 'The job was discarded.', paused: 'Queue paused.', resumed: 'Queue resumed.' };
type JobReq = FastifyRequest<{ Params: { queue: string; id: string } }>;

/** Queues (counts, pause/resume, failed jobs with retry/discard; Bull Board for the rest) and the audit log. */
export function registerQueueAndAuditPages(scope: FastifyInstance, ctx: ConsoleCtx) {
  scope.get<{ Querystring: { notice?: string } }>('/admin/console/queues', async (req, reply) => {
    const actor = consoleActor(req).name;
    const [pipeline, jobs] = await Promise.all([ctx.api.call(actor, 'GET', '/admin/pipeline'), ctx.api.call(actor, 'GET', '/admin/jobs?state=failed&limit=100')]);
    const queues = (pipeline.body?.queues ?? []).map((q: { name: string; paused: boolean; counts: Record<string, number> }) => ({ ...q, failed: q.counts.failed ?? 0, waiting: (q.counts.waiting ?? 0) + (q.counts.prioritized ?? 0), active: q.counts.active ?? 0, delayed: q.counts.delayed ?? 0 }));
    const failed = (jobs.body?.jobs ?? []).map((j: Record<string, unknown>) => ({ ...j, payload: JSON.stringify(j.data) }));
    return html(reply, 200, renderConsole('queues', await pageContext(ctx, req, 'queues', 'Queues', { queues, failed, notice: req.query.notice ? NOTICES[req.query.notice] : undefined })));
  });

  for (const action of ['retry', 'discard'] as const) {
    scope.post(`/admin/console/queues/:queue/jobs/:id/${action}`, async (req: JobReq, reply) => {
      const { queue, id } = req.params;
      const r = await ctx.api.call(consoleActor(req).name, action === 'retry' ? 'POST' : 'DELETE', `/admin/jobs/${encodeURIComponent(queue)}/${encodeURIComponent(id)}${action === 'retry' ? '/retry' : ''}`);
      if (r.status >= 300) throw Object.assign(new Error(apiProblem(r).message), { statusCode: r.status === 404 ? 404 : 409 });
      return reply.redirect(`/admin/console/queues?notice=${action === 'retry' ? 'retried' : 'discarded'}`, 303);
    });
  }

  for (const action of ['pause', 'resume'] as const) {
    scope.post(`/admin/console/queues/:queue/${action}`, async (req: FastifyRequest<{ Params: { queue: string } }>, reply) => {
      const r = await ctx.api.call(consoleActor(req).name, 'POST', `/admin/pipeline/${encodeURIComponent(req.params.queue)}/${action}`);
      if (r.status !== 200) throw Object.assign(new Error(apiProblem(r).message), { statusCode: 404 });
      return reply.redirect(`/admin/console/queues?notice=${action === 'pause' ? 'paused' : 'resumed'}`, 303);
    });
  }

  const filter = (q: unknown) => {
    const r = auditQuerySchema.safeParse(q ?? {});
    if (!r.success) throw Object.assign(new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')), { statusCode: 400 });
    return { raw: r.data, filter: auditFilterOf(r.data) };
  };

  scope.get('/admin/console/audit', async (req, reply) => {
    const { raw, filter: f } = filter(req.query);
    const [entries, actions] = await Promise.all([ctx.audit.list(f), ctx.audit.actions()]);
    const qs = new URLSearchParams(Object.entries(raw).filter(([k, v]) => k !== 'limit' && v !== undefined && v !== '').map(([k, v]): [string, string] => [k, String(v)])).toString();
    return html(
      reply,
      200,
      renderConsole('audit', await pageContext(ctx, req, 'audit', 'Audit log', {
        q: raw,
        actions: actions.map((a) => ({ value: a, selected: a === raw.action })),
        entries: entries.map((e) => ({ ...e, before: e.before === null ? '' : JSON.stringify(e.before, null, 2), after: e.after === null ? '' : JSON.stringify(e.after, null, 2) })),
        csvUrl: `/admin/console/audit.csv${qs ? `?${qs}` : ''}`,
        jsonUrl: `/admin/console/audit.json${qs ? `?${qs}` : ''}`,
      })),
    );
  });
  scope.get('/admin/console/audit.csv', async (req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(auditCsv(await ctx.audit.list({ ...filter(req.query).filter, limit: 10_000 }))),
  );
  scope.get('/admin/console/audit.json', async (req, reply) =>
    reply.type('application/json; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.json"').send(JSON.stringify({ entries: await ctx.audit.list({ ...filter(req.query).filter, limit: 10_000 }) }, null, 2)),
  );
}
