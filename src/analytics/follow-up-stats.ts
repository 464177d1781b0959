import { sql } from 'kysely';
import { factScope, loadCells, loadFollowUpCounts, loadOverdueNow } from './facts/cells.js';
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
 * recorded outcomes. Read from the rollups where they hold the days (for the default 15 minutes) and
 * from the answered facts with a detractor or a task otherwise (a partial index); every group with
 * answers is listed (zeros included). Never per agent: a task is about one customer
 * of one agent.
 */
export async function followUpReport(reader: AnalyticsReader, q: StatsQuery, known: { answeredGroups?: Promise<{ key: string; label: string }[]>; now?: Date } = {}): Promise<FollowUpReport> {
  const now = known.now ?? new Date();
  refusePerAgent(q, 'follow-up figures are');
  const groupBy = q.groupBy === 'agent' ? 'team' : q.groupBy;
  const [counted, overdueNow, answeredGroups, outcomes] = await Promise.all([
    loadFollowUpCounts(reader, q.filter, groupBy, q.withinMinutes),
    loadOverdueNow(reader, q.filter, groupBy, now),
    // Groups with answers (a caller that has them, the dashboard, passes them).
    groupBy === 'none' ? Promise.resolve([]) : known.answeredGroups ? known.answeredGroups.then((gs) => gs.map((g) => ({ ...g, score: 0 }))) : loadCells(reader, q.filter, groupBy, 'none'),
    reader.rows(sql<{ ticket: string | null; team: string | null; outcome: string; closedAt: Date }>`
      SELECT t.external_key AS ticket, t.assignment_group_name AS team, fu.outcome, fu.closed_at AS "closedAt"
      FROM survey_facts f
      JOIN follow_ups fu ON fu.id = f.follow_up_id
      JOIN tickets t ON t.id = f.ticket_id
      WHERE ${factScope(q.filter)} AND f.follow_up_outcome
      ORDER BY f.follow_up_closed_at DESC NULLS LAST, f.follow_up_id DESC LIMIT 10`),
  ]);

  const total: Counts = { ...ZERO };
  const groups = new Map<string, { label: string; counts: Counts }>();
  // Every group with an answer, so that a team without detractors shows its zeros.
  for (const c of answeredGroups) if (c.score !== null && !groups.has(c.key)) groups.set(c.key, { label: c.label, counts: { ...ZERO } });
  const rows = counted.map((r) => ({ ...r, overdueNow: overdueNow.get(r.key) ?? 0 }));
  for (const { key: k, label: l, ...n } of rows) {
    for (const c of Object.keys(total) as (keyof Counts)[]) total[c] += n[c];
    groups.set(k, { label: l, counts: n });
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
