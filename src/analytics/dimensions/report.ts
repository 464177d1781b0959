import { sql } from 'kysely';
import { factKeyLabel, factScope } from '../facts/cells.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from '../query.js';
import type { AnalyticsReader } from '../reader.js';
import type { Dimension } from '../../rules/dimensions.js';
import type { Scale } from '../../rules/scales.js';
import { dimensionFigures, type DimensionCell, type DimensionFigures } from './figures.js';

export interface DimensionsReport {
  from: string;
  to: string;
  groupBy: StatsQuery['groupBy'];
  total: DimensionFigures;
  groups: DimensionFigures[];
}

/** "What mattered most?" per group (figures.ts); one grouped statement over the standing answers of the cohort. Never per agent. */
export async function dimensionsReport(reader: AnalyticsReader, q: StatsQuery): Promise<DimensionsReport> {
  refusePerAgent(q, 'dimension figures are');
  const { key, label } = factKeyLabel(q.groupBy === 'none' ? 'team' : q.groupBy);
  const rows = await reader.rows(sql<{ key: string; label: string; scale: Scale; score: number; detractor: boolean; whatMattered: Dimension | null; answers: string }>`
    SELECT ${key} AS key, max(${label}) AS label, f.scale, f.score, f.detractor, f.what_mattered AS "whatMattered", count(*) AS answers
    FROM survey_facts f JOIN connectors c ON c.id = f.connector_id
    WHERE ${factScope(q.filter)} AND f.response_id IS NOT NULL
    GROUP BY 1, 3, 4, 5, 6`);
  const cells: DimensionCell[] = rows.map((r) => ({ ...r, score: Number(r.score), detractor: r.detractor === true, answers: Number(r.answers) }));
  const byGroup = new Map<string, DimensionCell[]>();
  for (const c of cells) byGroup.set(c.key, [...(byGroup.get(c.key) ?? []), c]);
  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy: q.groupBy,
    total: dimensionFigures('', 'All', cells),
    groups:
      q.groupBy === 'none'
        ? []
        : [...byGroup.entries()].map(([k, cs]) => dimensionFigures(k, cs[0]!.label, cs)).sort((a, b) => b.answeredQuestion - a.answeredQuestion || a.label.localeCompare(b.label)),
  };
}
