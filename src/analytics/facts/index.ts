/**
 * Analytics facts and rollups: the one place to read survey figures from, for the dashboard and for
 * features built on it (targets, initiatives, recovery, team digests).
 *
 * - survey_facts (migrations/0010): one narrow row per counted survey — team_key / agent_key /
 *   category / priority as plain columns, sent_at (the time it counts at) and sent_day, scale,
 *   score of the standing answer, detractor, has_comment, delivered, follow-up facts — kept equal to
 *   the view survey_facts_source by triggers, in the same transaction as every change.
 * - rollup_team_daily, rollup_weekly and rollup_monthly (migrations/0011): histogram counts (and the
 *   follow-up record) per day × team and per week / month × team × (team | agent | category |
 *   priority), exact for every day they hold (before the bound, not dirty); refreshRollups() keeps
 *   them current, rebuildRollups() rebuilds them.
 *
 * To read figures, prefer loadCells (it picks rollups or facts per day and adds them up); for rows
 * of your own, query survey_facts with factScope (alias f) — its filters are indexable columns.
 * Read through an AnalyticsReader (../reader.ts) so that the analytics pool, the statement timeout
 * and cancellation apply.
 */
export { factFilters, factKeyLabel, factScope, FOLLOW_UP_ROLLUP_MINUTES, grainsFor, loadCells, loadFollowUpCounts, planFor, rollupDim, rollupState, type CellRow, type Dim, type FollowUpCounts } from './cells.js';
export { planSources, type DayRange, type Grains, type RollupState, type SourcePlan } from './plan.js';
export { rebuildRollups, refreshRollups, RollupRefresher, rollupStatus, type RefreshResult } from './rollups.js';
