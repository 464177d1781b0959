import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { answersCsv } from '../../../analytics/answers-export.js';
import { themesReport } from '../../../analytics/comments.js';
import { statsCsv } from '../../../analytics/csv.js';
import type { AnalyticsDeps } from '../../../analytics/dashboard-data.js';
import { followUpReport } from '../../../analytics/follow-up-stats.js';
import { parseStatsQuery, refusePerAgent } from '../../../analytics/query.js';
import { statsReport } from '../../../analytics/stats.js';

/**
 * Read-only analytics for admins: JSON for scripts and the dashboard, CSV for spreadsheets. The caller
 * registers these inside a scope that checks the admin token (Bearer, or Basic so that a browser can
 * follow the dashboard's export links).
 */
export function registerStatsRoutes(app: FastifyInstance, deps: AnalyticsDeps) {
  const parse = (raw: unknown, defaults: Parameters<typeof parseStatsQuery>[2] = {}) => parseStatsQuery(raw, deps.now(), defaults);

  app.get('/admin/stats', async (req) => statsReport(deps.db, parse(req.query, { interval: 'none' }), deps.minGroupSize));
  app.get('/admin/stats/follow-ups', async (req) => followUpReport(deps.db, parse(req.query, { groupBy: 'team' })));
  app.get('/admin/stats/themes', async (req) => themesReport(deps.db, parse(req.query, { groupBy: 'team' })));

  app.get('/admin/export/stats.csv', async (req, reply) => {
    const q = parse(req.query, { groupBy: 'team', interval: 'week' });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="stats-${q.groupBy}-${q.filter.from.toISOString().slice(0, 10)}.csv"`)
      .send(statsCsv(await statsReport(deps.db, q, deps.minGroupSize)));
  });
  app.get('/admin/export/answers.csv', async (req, reply) => {
    const q = parse(req.query);
    refusePerAgent(q, 'answers are');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="answers-${q.filter.from.toISOString().slice(0, 10)}.csv"`)
      .send(Readable.from(answersCsv(deps.db, q.filter)));
  });
}
