import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from './query.js';
import { COHORT_FROM, DETRACTOR_SQL, groupKeySql, groupLabelSql, scopeSql } from './stats-store.js';
import type { FollowUpFigures, FollowUpReport } from './types.js';

type Counts = Omit<FollowUpFigures, 'key' | 'label' | 'createdQuicklyShare' | 'closedWithin24hShare' | 'withinMinutes'>;

/** Pure: shares are of the tasks created (how fast and how well service recovery went). */
export function followUpFigures(key: string, label: string, c: Counts, withinMinutes: number): FollowUpFigures {
  const share = (n: number) => (c.tasksCreated ? Math.round((n / c.tasksCreated) * 1000) / 1000 : null);
  return { key, label, ...c, withinMinutes, createdQuicklyShare: share(c.createdQuickly), closedWithin24hShare: share(c.closedWithin24h) };
}

/**
 * The service-recovery record of the cohort: detractors, their follow-up tasks, how fast those were
 * created (from the answer that triggered them), how many closed within 24 h, overdue, escalated, and
 * recorded outcomes. Grouping by agent is refused: a task is about one customer of one agent.
 */
export async function followUpReport(db: Db, q: StatsQuery): Promise<FollowUpReport> {
  refusePerAgent(q, 'follow-up figures are');
  const { rows } = await sql<{ key: string; label: string } & Record<keyof Counts, string>>`
    SELECT ${groupKeySql(q.groupBy)} AS key, max(${groupLabelSql(q.groupBy)}) AS label,
      count(*) FILTER (WHERE ${DETRACTOR_SQL}) AS "detractors",
      count(f.id) FILTER (WHERE f.external_id IS NOT NULL) AS "tasksCreated",
      count(f.id) FILTER (WHERE f.created_external_at <= fr.submitted_at + make_interval(mins => ${q.withinMinutes})) AS "createdQuickly",
      count(f.id) FILTER (WHERE f.status = 'closed' AND f.closed_at <= fr.submitted_at + interval '24 hours') AS "closedWithin24h",
      count(f.id) FILTER (WHERE f.status = 'open') AS "open",
      count(f.id) FILTER (WHERE f.overdue_at IS NOT NULL) AS "overdue",
      count(f.id) FILTER (WHERE f.escalated_at IS NOT NULL) AS "escalated",
      count(f.id) FILTER (WHERE f.outcome IS NOT NULL) AS "outcomesRecorded"
    FROM ${COHORT_FROM}
      LEFT JOIN follow_ups f ON f.survey_id = s.id
      LEFT JOIN responses fr ON fr.id = f.response_id
    WHERE ${scopeSql(q.filter)} AND r.id IS NOT NULL
    GROUP BY 1`.execute(db);

  const numbers = (r: Record<keyof Counts, string>): Counts => ({
    detractors: Number(r.detractors),
    tasksCreated: Number(r.tasksCreated),
    createdQuickly: Number(r.createdQuickly),
    closedWithin24h: Number(r.closedWithin24h),
    open: Number(r.open),
    overdue: Number(r.overdue),
    escalated: Number(r.escalated),
    outcomesRecorded: Number(r.outcomesRecorded),
  });
  const total: Counts = { detractors: 0, tasksCreated: 0, createdQuickly: 0, closedWithin24h: 0, open: 0, overdue: 0, escalated: 0, outcomesRecorded: 0 };
  for (const r of rows) {
    const n = numbers(r);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += n[k];
  }

  const { rows: outcomes } = await sql<{ ticket: string | null; team: string | null; outcome: string; closedAt: Date }>`
    SELECT t.external_key AS ticket, t.assignment_group_name AS team, f.outcome, f.closed_at AS "closedAt"
    FROM ${COHORT_FROM} JOIN follow_ups f ON f.survey_id = s.id
    WHERE ${scopeSql(q.filter)} AND f.outcome IS NOT NULL
    ORDER BY f.closed_at DESC NULLS LAST, f.id DESC LIMIT 10`.execute(db);

  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy: q.groupBy,
    total: followUpFigures('', 'All', total, q.withinMinutes),
    groups:
      q.groupBy === 'none'
        ? []
        : rows.map((r) => followUpFigures(r.key, r.label, numbers(r), q.withinMinutes)).sort((a, b) => b.detractors - a.detractors || a.label.localeCompare(b.label)),
    recentOutcomes: outcomes.map((o) => ({ ticket: o.ticket, team: o.team, outcome: o.outcome, closedAt: new Date(o.closedAt).toISOString() })),
  };
}
