import { dimensionsReport, type DimensionsReport } from '../dimensions/report.js';
import { loadCells } from '../facts/cells.js';
import type { StatsQuery } from '../query.js';
import type { AnalyticsReader } from '../reader.js';
import { recoveryReport, type RecoveryReport } from '../recovery/report.js';

/**
 * What the dashboard shows beyond the base figures (issue 15): the options of the agent, category
 * and priority filters, recovery effectiveness and "what mattered most" per team. Never per agent:
 * with an agent filter only the options are loaded (the page then shows the figures the stats API
 * gives for one agent, small groups withheld, and says the rest is not available per agent).
 */
export interface DashboardExtras {
  options: { agents: Option[]; categories: Option[]; priorities: Option[] };
  recovery: RecoveryReport | null;
  dimensions: DimensionsReport | null;
  /** When the figures were read (ISO): the current week or month is marked partial against it. */
  now: string;
  minGroupSize: number;
}
export interface Option {
  key: string;
  label: string;
}

async function options(reader: AnalyticsReader, q: StatsQuery, dim: 'agent' | 'category' | 'priority'): Promise<Option[]> {
  // The options ignore their own filter (so another value can be chosen) but follow the others.
  const cells = await loadCells(reader, { ...q.filter, [dim]: undefined }, dim, 'none');
  const labels = new Map<string, string>();
  for (const c of cells) labels.set(c.key, c.label);
  return [...labels.entries()].map(([key, label]) => ({ key, label })).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

export async function loadDashboardExtras(reader: AnalyticsReader, q: StatsQuery, now: Date, minGroupSize: number): Promise<DashboardExtras> {
  const perAgent = !!q.filter.agent;
  const teamQuery: StatsQuery = { ...q, groupBy: 'team' };
  const [agents, categories, priorities, recovery, dimensions] = await Promise.all([
    options(reader, q, 'agent'),
    options(reader, q, 'category'),
    options(reader, q, 'priority'),
    perAgent ? null : recoveryReport(reader, teamQuery, now),
    perAgent ? null : dimensionsReport(reader, teamQuery),
  ]);
  return { options: { agents, categories, priorities }, recovery, dimensions, now: now.toISOString(), minGroupSize };
}
