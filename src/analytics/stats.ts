import type { Db } from '../db/client.js';
import { visibleForAgent } from '../rules/scores.js';
import { answeredIn, figuresFrom, hiddenFigures, type Cell } from './figures.js';
import { periodsBetween } from './periods.js';
import { firstDay, lastDay, type StatsQuery } from './query.js';
import { loadCells, type CellRow } from './stats-store.js';
import type { Figures, GroupFigures, PeriodFigures, StatsReport } from './types.js';

/**
 * CSAT / NPS / CES, funnel and detractors per group and period. Pure assembly of what loadCells returns,
 * apart from the one query. Agent-level figures (groups, their periods, and the total when filtered to
 * one agent) are withheld below `minAgentGroupSize` answers.
 */
export async function statsReport(db: Db, q: StatsQuery, minAgentGroupSize: number): Promise<StatsReport> {
  return assembleStats(await loadCells(db, q.filter, q.groupBy, q.interval), q, minAgentGroupSize);
}

export function assembleStats(cells: readonly CellRow[], q: StatsQuery, minAgentGroupSize: number): StatsReport {
  // "Not tracked" is a property of the whole scope: without any delivery event, 0 delivered would be a lie.
  const deliveryTracked = cells.some((c) => c.delivered > 0);
  const periods = periodsBetween(q.filter.from, q.filter.to, q.interval);
  const figures = (cs: readonly Cell[], protect: boolean): Figures =>
    protect && !visibleForAgent(answeredIn(cs), minAgentGroupSize) ? hiddenFigures() : figuresFrom(cs, { deliveryTracked });
  const series = (cs: readonly CellRow[], protect: boolean): PeriodFigures[] =>
    periods.map((period) => ({ period, ...figures(cs.filter((c) => c.period === period), protect) }));

  const byKey = new Map<string, CellRow[]>();
  for (const c of cells) {
    const list = byKey.get(c.key);
    if (list) list.push(c);
    else byKey.set(c.key, [c]);
  }
  const groups: GroupFigures[] =
    q.groupBy === 'none'
      ? []
      : [...byKey.entries()]
          .map(([key, cs]) => ({ key, label: cs[0]!.label, ...figures(cs, q.groupBy === 'agent'), series: series(cs, q.groupBy === 'agent') }))
          .sort((a, b) => b.funnel.answered - a.funnel.answered || b.funnel.sent - a.funnel.sent || a.label.localeCompare(b.label));

  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy: q.groupBy,
    interval: q.interval,
    minAgentGroupSize,
    total: { ...figures(cells, Boolean(q.filter.agent)), series: series(cells, Boolean(q.filter.agent)) },
    groups,
  };
}
