import { sql } from 'kysely';
import { z } from 'zod';
import { HttpError } from '../../http/app.js';
import type { AnalyticsDeps } from '../dashboard-data.js';
import { factScope } from '../facts/cells.js';
import { periodStart } from '../periods.js';
import { firstDay, lastDay, parseStatsQuery, refusePerAgent } from '../query.js';
import type { StatsFilter } from '../types.js';

/**
 * The dashboard's drill-down (GET /admin/dashboard/answers): the surveys behind a figure, with the
 * same filters as the dashboard plus what the figure counted — detractors only, one scale or score,
 * one period — newest first, 50 a page, each with a link to its ticket in the ITSM. Never per agent.
 */
export const ANSWERS_PAGE_SIZE = 50;

const extraSchema = z
  .object({
    status: z.enum(['answered', 'unanswered', 'all']).default('answered'),
    detractor: z.enum(['1', 'true']).optional(),
    scale: z.enum(['csat', 'nps', 'ces']).optional(),
    score: z.coerce.number().int().min(0).max(10).optional(),
    period: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a period start like 2026-11-16').optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .strip();

export interface AnswerListRow {
  surveyId: string;
  at: string;
  answered: boolean;
  ticket: string;
  ticketUrl: string | null;
  connector: string;
  team: string;
  category: string;
  priority: string;
  scale: string;
  score: number | null;
  detractor: boolean;
  whatMattered: string | null;
  comment: string | null;
  followUp: string | null;
}

export interface AnswerList {
  filter: { from: string; to: string; connector: string; team: string; category: string; priority: string; status: string; detractor: boolean; scale: string; score: number | null; period: string; interval: string };
  page: number;
  pageSize: number;
  total: number;
  rows: AnswerListRow[];
}

export async function loadAnswerList(deps: AnalyticsDeps, raw: unknown, signal?: AbortSignal): Promise<AnswerList> {
  const cleaned = Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  const q = parseStatsQuery(cleaned, deps.now(), { interval: 'week' });
  refusePerAgent(q, 'answers are');
  const parsed = extraSchema.safeParse(cleaned);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const x = parsed.data;
  let f: StatsFilter = q.filter;
  if (x.period) {
    if (q.interval === 'none') throw new HttpError(400, 'period: needs interval day, week or month');
    const start = new Date(`${x.period}T00:00:00Z`);
    if (Number.isNaN(start.getTime()) || periodStart(start, q.interval).getTime() !== start.getTime()) throw new HttpError(400, `period: ${x.period} does not start a ${q.interval}`);
    const end = q.interval === 'month' ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) : new Date(start.getTime() + (q.interval === 'week' ? 7 : 1) * 86_400_000);
    f = { ...f, from: new Date(Math.max(f.from.getTime(), start.getTime())), to: new Date(Math.min(f.to.getTime(), end.getTime())) };
    if (f.from >= f.to) throw new HttpError(400, 'period: outside the range from … to');
  }
  const where = [factScope(f)];
  if (x.status === 'answered') where.push(sql`f.response_id IS NOT NULL`);
  if (x.status === 'unanswered') where.push(sql`f.response_id IS NULL`);
  if (x.detractor) where.push(sql`f.detractor`);
  if (x.scale) where.push(sql`f.scale = ${x.scale}`);
  if (x.score !== undefined) where.push(sql`f.score = ${x.score}`);
  const scope = sql.join(where, sql` AND `);
  const reader = deps.reader(signal);
  const [rows, counted] = await Promise.all([
    reader.rows(sql<{ surveyId: string; at: Date; answered: boolean; externalId: string; key: string | null; connector: string; team: string; category: string; priority: string; scale: string; score: number | null; detractor: boolean; whatMattered: string | null; comment: string | null; fuStatus: string | null; fuCode: string | null }>`
      SELECT f.survey_id::text AS "surveyId", coalesce(f.answered_at, f.sent_at) AS at, f.response_id IS NOT NULL AS answered, t.external_id AS "externalId", t.external_key AS key,
             f.connector_id AS connector, f.team_label AS team, f.category, f.priority, f.scale, f.score, f.detractor, f.what_mattered AS "whatMattered", r.comment,
             f.follow_up_status AS "fuStatus", f.follow_up_outcome_code AS "fuCode"
      FROM survey_facts f
      JOIN tickets t ON t.id = f.ticket_id
      LEFT JOIN responses r ON r.id = f.response_id
      WHERE ${scope}
      ORDER BY coalesce(f.answered_at, f.sent_at) DESC, f.survey_id DESC
      LIMIT ${ANSWERS_PAGE_SIZE} OFFSET ${(x.page - 1) * ANSWERS_PAGE_SIZE}`),
    reader.rows(sql<{ n: string }>`SELECT count(*) AS n FROM survey_facts f WHERE ${scope}`),
  ]);
  const urls = await Promise.all(rows.map((r) => deps.ticketUrl?.(r.connector, r.externalId, r.key) ?? Promise.resolve(null)));
  return {
    filter: {
      from: firstDay(q.filter), to: lastDay(q.filter), connector: q.filter.connectorId ?? '', team: q.filter.team ?? '', category: q.filter.category ?? '', priority: q.filter.priority ?? '',
      status: x.status, detractor: !!x.detractor, scale: x.scale ?? '', score: x.score ?? null, period: x.period ?? '', interval: q.interval,
    },
    page: x.page,
    pageSize: ANSWERS_PAGE_SIZE,
    total: Number(counted[0]?.n ?? 0),
    rows: rows.map((r, i) => ({
      surveyId: r.surveyId,
      at: new Date(r.at).toISOString(),
      answered: r.answered === true,
      ticket: r.key ?? r.externalId,
      ticketUrl: urls[i] ?? null,
      connector: r.connector,
      team: r.team,
      category: r.category,
      priority: r.priority,
      scale: r.scale,
      score: r.score === null ? null : Number(r.score),
      detractor: r.detractor === true,
      whatMattered: r.whatMattered,
      comment: r.comment,
      followUp: r.fuStatus ? `${r.fuStatus}${r.fuCode ? `: ${r.fuCode}` : ''}` : null,
    })),
  };
}
