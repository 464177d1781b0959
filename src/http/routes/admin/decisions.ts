import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { HttpError } from '../../app.js';

const query = z.object({
  connectorId: z.string().max(63).optional(),
  outcome: z.enum(['survey', 'suppressed']).optional(),
  reason: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
});

/** Recent anti-spam decisions with their reasons: what admins check when asked "why was I (not) surveyed?". */
export function registerDecisionAdminRoutes(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/decisions', async (req) => {
    const parsed = query.safeParse(req.query);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const q = parsed.data;
    let sel = deps.db
      .selectFrom('survey_decisions as d')
      .innerJoin('closures as c', 'c.id', 'd.closure_id')
      .innerJoin('tickets as t', 't.id', 'c.ticket_id')
      .leftJoin('people as p', 'p.id', 'd.person_id')
      .leftJoin('surveys as s', 's.decision_id', 'd.id')
      .select(['d.id', 'd.connector_id as connectorId', 't.external_key as ticket', 'c.closed_at as closedAt', 'p.email', 'd.outcome', 'd.reason', 'd.detail', 'd.decided_at as decidedAt', 's.id as surveyId', 's.send_after as sendAfter'])
      .orderBy('d.id', 'desc')
      .limit(q.limit);
    if (q.connectorId) sel = sel.where('d.connector_id', '=', q.connectorId);
    if (q.outcome) sel = sel.where('d.outcome', '=', q.outcome);
    if (q.reason) sel = sel.where('d.reason', '=', q.reason);
    if (q.before) sel = sel.where('d.id', '<', String(q.before));
    return { decisions: await sel.execute() };
  });
}
