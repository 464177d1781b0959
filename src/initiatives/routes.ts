import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AnalyticsReader } from '../analytics/reader.js';
import { HttpError } from '../http/app.js';
import { cancellable } from '../http/client-gone.js';
import { loadEffect } from './effect/load.js';
import { effectSummary } from './effect/summary.js';
import { mirrorInitiative, type MirrorDeps } from './mirror.js';
import { issuesText, mirrorBodySchema } from './schema.js';
import { InitiativeService } from './service.js';
import { INITIATIVE_STATUSES } from './transitions.js';

/**
 * Improvement initiatives through the admin API: reads also take the Basic password (a link in the
 * ITSM record opens one in a browser), changes need the Bearer token.
 */
export interface InitiativeRouteDeps extends MirrorDeps {
  minGroupSize: number;
  now: () => Date;
  reader(signal?: AbortSignal): AnalyticsReader;
}

type IdParams = { Params: { id: string } };

const listQuery = z
  .object({
    status: z.enum(INITIATIVE_STATUSES, { error: `must be one of ${INITIATIVE_STATUSES.join(', ')}` }).optional(),
    team: z.string().trim().min(1).max(300).optional(),
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id').optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').optional(),
  })
  .strip();
const effectQuery = z.object({ weeks: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(52, 'must be at most 52').optional() }).strip();
const cleaned = (q: unknown) => Object.fromEntries(Object.entries((q ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));

export function registerInitiativeReadRoutes(app: FastifyInstance, deps: InitiativeRouteDeps) {
  const service = new InitiativeService(deps.db, deps.now);
  app.get('/admin/initiatives', async (req) => {
    const q = listQuery.safeParse(cleaned(req.query));
    if (!q.success) throw new HttpError(400, issuesText(q.error));
    return { initiatives: await service.list({ status: q.data.status, team: q.data.team, connectorId: q.data.connector, limit: q.data.limit }) };
  });
  app.get<IdParams>('/admin/initiatives/:id', async (req) => service.mustGet(req.params.id));
  app.get<IdParams>(
    '/admin/initiatives/:id/effect',
    cancellable(async (req, _reply, signal) => {
      const q = effectQuery.safeParse(cleaned(req.query));
      if (!q.success) throw new HttpError(400, issuesText(q.error));
      const i = await service.mustGet((req.params as { id: string }).id);
      const effect = await loadEffect(deps.reader(signal), i, { weeks: q.data.weeks, minGroupSize: deps.minGroupSize, today: deps.now() });
      return { ...effect, summary: effectSummary(effect) };
    }),
  );
}

export function registerInitiativeWriteRoutes(app: FastifyInstance, deps: InitiativeRouteDeps) {
  const service = new InitiativeService(deps.db, deps.now);
  app.post('/admin/initiatives', async (req, reply) => reply.status(201).send(await service.create(req.body)));
  app.patch<IdParams>('/admin/initiatives/:id', async (req) => service.update(req.params.id, req.body));
  app.delete<IdParams>('/admin/initiatives/:id', async (req, reply) => {
    if (!(await service.store.delete(req.params.id))) throw new HttpError(404, `no initiative ${req.params.id.slice(0, 40)}`);
    return reply.status(204).send();
  });
  app.post<IdParams>('/admin/initiatives/:id/mirror', async (req, reply) => {
    const i = await service.mustGet(req.params.id);
    const b = mirrorBodySchema.safeParse(req.body ?? {});
    if (!b.success) throw new HttpError(400, issuesText(b.error));
    const r = await mirrorInitiative(deps, i, b.data.connectorId);
    return reply.status(r.created ? 201 : 200).send(r.initiative);
  });
}
