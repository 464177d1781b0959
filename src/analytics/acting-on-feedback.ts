import type { StatsQuery } from './query.js';
import type { AnalyticsReader } from './reader.js';
import { loadEffect, type InitiativeEffect } from '../initiatives/effect/load.js';
import { listInitiativesVia, type Initiative } from '../initiatives/store.js';
import { loadHeadlineChange, type HeadlineChange } from '../targets/headline-change.js';
import { loadTargetsReport, type TargetsReport } from '../targets/evaluate.js';
import type { ImportedMode } from '../feedback-import/themes.js';

/**
 * The dashboard's "acting on feedback" part for one filter: each team against its target (over the
 * target's period containing the filter's last day), every headline figure against the range of equal
 * length before, and the initiatives of the scope (with the measured effect of the latest done ones).
 */
export interface ActingView {
  targets: TargetsReport;
  change: HeadlineChange;
  initiatives: { initiative: Initiative; effect: InitiativeEffect | null }[];
  /** Whether imported feedback is in the themes shown (the themes' own filter). */
  imported: ImportedMode;
}

/** Done initiatives whose effect the dashboard measures (each is a few queries). */
const EFFECTS_SHOWN = 5;

export async function loadActing(reader: AnalyticsReader, q: StatsQuery, opts: { minGroupSize: number; now: Date; imported: ImportedMode }): Promise<ActingView> {
  const scope = { connectorId: q.filter.connectorId, team: q.filter.team };
  const lastDay = new Date(q.filter.to.getTime() - 86_400_000);
  const [targets, change, initiatives] = await Promise.all([
    loadTargetsReport({ reader, minGroupSize: opts.minGroupSize, now: () => opts.now }, { date: lastDay, scope }),
    loadHeadlineChange(reader, { from: q.filter.from, to: q.filter.to }, scope, opts.minGroupSize, opts.now),
    listInitiativesVia(reader, { ...scope, limit: 20 }),
  ]);
  const measured = new Set(initiatives.filter((i) => i.status === 'done').slice(0, EFFECTS_SHOWN).map((i) => i.id));
  const effects = await Promise.all(initiatives.map((i) => (measured.has(i.id) ? loadEffect(reader, i, { minGroupSize: opts.minGroupSize, today: opts.now }) : Promise.resolve(null))));
  return { targets, change, initiatives: initiatives.map((initiative, k) => ({ initiative, effect: effects[k]! })), imported: opts.imported };
}
