import { figuresFrom, hiddenFigures, type Cell } from './figures.js';
import { periodsBetween } from './periods.js';
import { firstDay, lastDay, type StatsQuery } from './query.js';
import { loadCells, type CellRow } from './facts/cells.js';
import type { AnalyticsReader } from './reader.js';
import { suppressCrossTable, type Protection } from './suppression/cross-table.js';
import type { Figures, GroupFigures, PeriodFigures, StatsReport } from './types.js';

/**
 * CSAT / NPS / CES, funnel and detractors per group and period. Pure assembly of the histogram cells
 * loadCells returns (rollups and survey_facts, facts/cells.ts), apart from that one query. Agent-level figures (groups and their periods, and everything when filtered
 * to one agent) with fewer than `minAgentGroupSize` answers are withheld, and so are the figures that
 * would give them away by subtraction (see suppression/).
 */
export async function statsReport(reader: AnalyticsReader, q: StatsQuery, minAgentGroupSize: number, protection: Protection = protectionFor(q)): Promise<StatsReport> {
  return assembleStats(await loadCells(reader, q.filter, q.groupBy, q.interval), q, minAgentGroupSize, protection);
}

/** Figures about one person: agent groups, and every figure of a report filtered to one agent. */
export const protectionFor = (q: Pick<StatsQuery, 'groupBy' | 'filter'>): Protection => ({ rows: q.groupBy === 'agent' || !!q.filter.agent, margins: !!q.filter.agent });

export function assembleStats(cells: readonly CellRow[], q: StatsQuery, minAgentGroupSize: number, protection: Protection = protectionFor(q)): StatsReport {
  // "Not tracked" is a property of the whole scope: without any delivery event, 0 delivered would be a lie.
  const deliveryTracked = cells.some((c) => c.delivered > 0);
  const periods = periodsBetween(q.filter.from, q.filter.to, q.interval);
  const figures = (cs: readonly Cell[]): Figures => figuresFrom(cs, { deliveryTracked });
  const series = (cs: readonly CellRow[]): PeriodFigures[] => {
    const byPeriod = groupBy(cs, (c) => c.period ?? '');
    return periods.map((period) => ({ period, ...figures(byPeriod.get(period) ?? []) }));
  };

  const total = { ...figures(cells), series: series(cells) };
  const groups: GroupFigures[] = q.groupBy === 'none' ? [] : [...groupBy(cells, (c) => c.key).entries()].map(([key, cs]) => ({ key, label: cs[0]!.label, ...figures(cs), series: series(cs) }));

  const margins = protection.marginsPublished !== false;
  const hidden = suppressCrossTable<Figures>(
    { total: margins ? total : null, periodTotals: margins ? total.series : null, rows: groups.map((g) => ({ total: g, periods: g.series })) },
    (f) => ({ surveys: f.funnel.sent, answered: f.funnel.answered }),
    protection,
    minAgentGroupSize,
  );
  const withhold = <T extends Figures>(f: T, hide: boolean): T => (hide ? { ...f, ...hiddenFigures() } : f);
  const shownGroups = groups
    .map((g, i) => ({ ...withhold(g, hidden.rows[i]!.total), series: g.series.map((p, j) => withhold(p, hidden.rows[i]!.periods[j]!)) }))
    .sort((a, b) => b.funnel.answered - a.funnel.answered || b.funnel.sent - a.funnel.sent || a.label.localeCompare(b.label));

  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy: q.groupBy,
    interval: q.interval,
    minAgentGroupSize,
    total: { ...withhold(total, hidden.total === true), series: total.series.map((p, j) => withhold(p, hidden.periodTotals?.[j] === true)) },
    groups: shownGroups,
  };
}

function groupBy<T>(items: readonly T[], keyOf: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const k = keyOf(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}
