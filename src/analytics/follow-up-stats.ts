import { sql } from 'kysely';
import { factKeyLabel, factScope, loadCells } from './facts/cells.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from './query.js';
import type { AnalyticsReader } from './reader.js';
import type { FollowUpFigures, FollowUpReport } from './types.js';

type Counts = Omit<FollowUpFigures, 'key' | 'label' | 'createdQuicklyShare' | 'closedWithin24hShare' | 'closedWithinDueShare' | 'withinMinutes'>;
const ZERO: Counts = { detractors: 0, tasksCreated: 0, createdQuickly: 0, closedWithin24h: 0, open: 0, overdue: 0, overdueNow: 0, closedWithinDue: 0, escalated: 0, outcomesRecorded: 0 };

/** Pure: shares are of the tasks created (how fast and how well service recovery went). */
export function followUpFigures(key: string, label: string, c: Counts, withinMinutes: number): FollowUpFigures {
  const share = (n: number) => (c.tasksCreated ? Math.round((n / c.tasksCreated) * 1000) / 1000 : null);
  return { key, label, ...c, withinMinutes, createdQuicklyShare: share(c.createdQuickly), closedWithin24hShare: share(c.closedWithin24h), closedWithinDueShare: share(c.closedWithinDue) };
}

/**
 * The service-recovery record of the cohort: detractors, their follow-up tasks, how fast those were
 * created (from the answer that triggered them), how many closed within 24 h, overdue, escalated, and
 * recorded outcomes. Read from the answered facts with a detractor or a task (a partial index), and
 * every group with answers is listed (zeros included). Never per agent: a task is about one customer
 * of one agent.
 */
export async function followUpReport(reader: AnalyticsReader, q: StatsQuery): Promise<FollowUpReport> {
  refusePerAgent(q, 'follow-up figures are');
  const groupBy = q.groupBy === 'agent' ? 'team' : q.groupBy;
  const { key, label } = factKeyLabel(groupBy);
  const [rows, answeredGroups, outcomes] = await Promise.all([
    reader.rows(sql<{ key: string; label: string } & Record<keyof Counts, string>>`
      SELECT ${key} AS key, max(${label}) AS label,
        count(*) FILTER (WHERE f.detractor) AS "detractors",
        count(*) FILTER (WHERE f.follow_up_task) AS "tasksCreated",
        count(*) FILTER (WHERE f.follow_up_created_at <= f.follow_up_answer_at + make_interval(mins => ${q.withinMinutes})) AS "createdQuickly",
        count(*) FILTER (WHERE f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_answer_at + interval '24 hours') AS "closedWithin24h",
        count(*) FILTER (WHERE f.follow_up_status = 'open') AS "open",
        count(*) FILTER (WHERE f.follow_up_overdue) AS "overdue",
        count(*) FILTER (WHERE f.follow_up_status = 'open' AND f.follow_up_due_at < now()) AS "overdueNow",
        count(*) FILTER (WHERE f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_due_at) AS "closedWithinDue",
        count(*) FILTER (WHERE f.follow_up_escalated) AS "escalated",
        count(*) FILTER (WHERE f.follow_up_outcome) AS "outcomesRecorded"
      FROM survey_facts f JOIN connectors c ON c.id = f.connector_id
      WHERE ${factScope(q.filter)} AND f.response_id IS NOT NULL AND (f.detractor OR f.follow_up_id IS NOT NULL)
      GROUP BY 1`),
    groupBy === 'none' ? Promise.resolve([]) : loadCells(reader, q.filter, groupBy, 'none'),
    reader.rows(sql<{ ticket: string | null; team: string | null; outcome: string; closedAt: Date }>`
      SELECT t.external_key AS ticket, t.assignment_group_name AS team, fu.outcome, fu.closed_at AS "closedAt"
      FROM survey_facts f
      JOIN follow_ups fu ON fu.id = f.follow_up_id
      JOIN tickets t ON t.id = f.ticket_id
      WHERE ${factScope(q.filter)} AND f.follow_up_outcome
      ORDER BY f.follow_up_closed_at DESC NULLS LAST, f.follow_up_id DESC LIMIT 10`),
  ]);

  const numbers = (r: Record<keyof Counts, string>): Counts => ({
    detractors: Number(r.detractors),
    tasksCreated: Number(r.tasksCreated),
    createdQuickly: Number(r.createdQuickly),
    closedWithin24h: Number(r.closedWithin24h),
    open: Number(r.open),
    overdue: Number(r.overdue),
    overdueNow: Number(r.overdueNow),
    closedWithinDue: Number(r.closedWithinDue),
    escalated: Number(r.escalated),
    outcomesRecorded: Number(r.outcomesRecorded),
  });
  const total: Counts = { ...ZERO };
  const groups = new Map<string, { label: string; counts: Counts }>();
  // Every group with an answer, so that a team without detractors shows its zeros.
  for (const c of answeredGroups) if (c.score !== null && !groups.has(c.key)) groups.set(c.key, { label: c.label, counts: { ...ZERO } });
  for (const r of rows) {
    const n = numbers(r);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += n[k];
    groups.set(r.key, { label: r.label, counts: n });
  }

  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy: q.groupBy,
    total: followUpFigures('', 'All', total, q.withinMinutes),
    groups:
      q.groupBy === 'none'
        ? []
        : [...groups.entries()].map(([k, g]) => followUpFigures(k, g.label, g.counts, q.withinMinutes)).sort((a, b) => b.detractors - a.detractors || a.label.localeCompare(b.label)),
    recentOutcomes: outcomes.map((o) => ({ ticket: o.ticket, team: o.team, outcome: o.outcome, closedAt: new Date(o.closedAt).toISOString() })),
  };
}
