import type { FastifyInstance } from 'fastify';
import type { AnalyticsDeps } from '../../../analytics/dashboard-data.js';
import { dimensionsReport } from '../../../analytics/dimensions/report.js';
import { parseStatsQuery } from '../../../analytics/query.js';
import { recoveryReport } from '../../../analytics/recovery/report.js';
import { cancellable } from '../../client-gone.js';

/**
 * Figures for acting on feedback (issue 15), read-only, in the same scope as /admin/stats (admin token
 * as Bearer or Basic password): recovery effectiveness and "what mattered most". Same query string as
 * every stats route (from, to, connector, team, category, priority, groupBy); agent= answers 400.
 */
export function registerActionStatsRoutes(app: FastifyInstance, deps: AnalyticsDeps) {
  const parse = (raw: unknown) => parseStatsQuery(raw, deps.now(), { groupBy: 'team' });
  app.get('/admin/stats/recovery', cancellable(async (req, _reply, signal) => recoveryReport(deps.reader(signal), parse(req.query), deps.now())));
  app.get('/admin/stats/dimensions', cancellable(async (req, _reply, signal) => dimensionsReport(deps.reader(signal), parse(req.query))));
}
