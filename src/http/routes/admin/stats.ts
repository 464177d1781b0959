import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { answersCsv } from '../../../analytics/answers-export.js';
import { statsCsv } from '../../../analytics/csv.js';
import { MONTHLY_AFTER_DAYS, type AnalyticsDeps } from '../../../analytics/dashboard-data.js';
import { followUpReport } from '../../../analytics/follow-up-stats.js';
import { parseStatsQuery, refusePerAgent } from '../../../analytics/query.js';
import { statsReport } from '../../../analytics/stats.js';
import { cancellable, clientGone } from '../../client-gone.js';
import { importedMode, themesWithImported } from '../../../feedback-import/themes.js';

/**
 * Read-only analytics for admins: JSON for scripts and the dashboard, CSV for spreadsheets. The caller
 * registers these inside a scope that checks the admin token (Bearer, or Basic so that a browser can
 * follow the dashboard's export links). Queries run on the analytics pool and are cancelled when the
 * client goes away.
 */
export function registerStatsRoutes(app: FastifyInstance, deps: AnalyticsDeps) {
  const parse = (raw: unknown, defaults: Parameters<typeof parseStatsQuery>[2] = {}) => parseStatsQuery(raw, deps.now(), defaults);

  app.get('/admin/stats', cancellable(async (req, _reply, signal) => statsReport(deps.reader(signal), parse(req.query, { interval: 'none' }), deps.minGroupSize)));
  app.get('/admin/stats/follow-ups', cancellable(async (req, _reply, signal) => followUpReport(deps.reader(signal), parse(req.query, { groupBy: 'team' }), { now: deps.now() })));
  // Imported (non-survey) feedback joins the themes unless ?imported=exclude (or alone: only).
  app.get('/admin/stats/themes', cancellable(async (req, _reply, signal) => themesWithImported(deps.reader(signal), parse(req.query, { groupBy: 'team' }), importedMode(req.query))));

  app.get(
    '/admin/export/stats.csv',
    cancellable(async (req, reply, signal) => {
      let q = parse(req.query, { groupBy: 'team', interval: 'week' });
      const asked = (req.query as { interval?: string } | undefined)?.interval;
      if (!asked && q.filter.to.getTime() - q.filter.from.getTime() > MONTHLY_AFTER_DAYS * 86_400_000) q = { ...q, interval: 'month' };
      const csv = statsCsv(await statsReport(deps.reader(signal), q, deps.minGroupSize));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="stats-${q.groupBy}-${q.filter.from.toISOString().slice(0, 10)}.csv"`)
        .send(csv);
    }),
  );
  app.get('/admin/export/answers.csv', async (req, reply) => {
    const q = parse(req.query);
    refusePerAgent(q, 'answers are');
    // One cursor streams the whole range; it is closed (and its query cancelled) if the client leaves.
    const stream = Readable.from(answersCsv(deps.reader(clientGone(reply)), q.filter));
    stream.on('error', (err) => req.log.warn({ err }, 'answers export stopped'));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="answers-${q.filter.from.toISOString().slice(0, 10)}.csv"`)
      .send(stream);
  });
}
