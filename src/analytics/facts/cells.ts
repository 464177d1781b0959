import { sql, type RawBuilder } from 'kysely';
import type { Scale } from '../../rules/scales.js';
import type { Cell } from '../figures.js';
import type { AnalyticsReader } from '../reader.js';
import type { GroupBy, StatsFilter, TimeInterval } from '../types.js';
import { planSources, type DayRange, type Grains, type RollupState, type SourcePlan } from './plan.js';

/**
 * Histogram cells (group × period × scale × score × detractor → surveys, delivered) for any filter,
 * grouping and interval, read from the rollups where they hold the days and from survey_facts for
 * the rest (see plan.ts), in one statement.
 */

export interface CellRow extends Cell {
  key: string;
  label: string;
  period: string | null;
}

export type Dim = 'team' | 'agent' | 'category' | 'priority';

/**
 * The one dimension beyond connector and team that a figure needs (its grouping or filter), which
 * the monthly rollup holds per team; null when it needs two (e.g. agents of one category): facts only.
 */
export function rollupDim(f: StatsFilter, groupBy: GroupBy): Dim | null {
  const dims = new Set<Dim>();
  for (const d of ['agent', 'category', 'priority'] as const) if (f[d] !== undefined || groupBy === d) dims.add(d);
  if (dims.size > 1) return null;
  return dims.size ? [...dims][0]! : 'team';
}

/** Monthly rollups serve monthly and whole-range figures, weekly ones all but daily figures, daily rows team-level ones. */
export const grainsFor = (dim: Dim, interval: TimeInterval): Grains => ({
  month: interval === 'month' || interval === 'none',
  week: interval === 'week' || interval === 'none' ? 'any' : interval === 'month' ? 'within-month' : false,
  day: dim === 'team',
});

const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** The rollups' bound and the dirty days within [from, to). */
export async function rollupState(reader: AnalyticsReader, from: Date, to: Date): Promise<RollupState> {
  const [row] = await reader.rows(sql<{ until: string | null; dirty: string[] }>`
    SELECT CASE WHEN materialized_until = '-infinity' THEN NULL ELSE to_char(materialized_until, 'YYYY-MM-DD') END AS until,
           ARRAY(SELECT to_char(day, 'YYYY-MM-DD') FROM analytics_dirty_days WHERE day >= ${ymd(from)}::date AND day < ${ymd(to)}::date) AS dirty
    FROM analytics_rollup_state`);
  return { until: row?.until ? new Date(`${row.until}T00:00:00Z`) : null, dirty: new Set(row?.dirty ?? []) };
}

export async function planFor(reader: AnalyticsReader, f: StatsFilter, groupBy: GroupBy, interval: TimeInterval): Promise<SourcePlan> {
  const dim = rollupDim(f, groupBy);
  if (!dim) return { months: [], weeks: [], days: [], facts: [{ from: f.from, to: f.to }] };
  return planSources(f.from, f.to, await rollupState(reader, f.from, f.to), grainsFor(dim, interval));
}

// ---------------------------------------------------------------------------------------------
// One SELECT per source, each giving (key, label, period, scale, score, detractor, surveys, delivered).

type Source = 'facts' | 'days' | 'weeks' | 'months';

/** Table, alias and period column of each rollup source. */
const ROLLUP: Record<Exclude<Source, 'facts'>, { table: string; x: string; day: string }> = {
  days: { table: 'rollup_team_daily d', x: 'd', day: 'd.day' },
  weeks: { table: 'rollup_weekly w', x: 'w', day: 'w.week' },
  months: { table: 'rollup_monthly m', x: 'm', day: 'm.month' },
};

const CATEGORY_LABEL = (col: string) => `CASE ${col} WHEN '' THEN '(none)' ELSE ${col} END`;

function keyAndLabel(source: Source, groupBy: GroupBy): [string, string] {
  const x = source === 'facts' ? 'f' : ROLLUP[source].x;
  switch (groupBy) {
    case 'none':
      return [`''`, `''`];
    case 'connector':
      return [`${x}.connector_id`, `${x}.connector_id`];
    case 'team':
      return [`${x}.team_key`, `${x}.team_label`];
    case 'agent':
      return source === 'facts' ? ['f.agent_key', 'f.agent_label'] : [`${x}.dim_key`, `${x}.dim_label`];
    case 'category':
    case 'priority':
      return source === 'facts' ? [`f.${groupBy}`, CATEGORY_LABEL(`f.${groupBy}`)] : [`${x}.dim_key`, `${x}.dim_label`];
  }
}

/** Filters on survey_facts (alias f); every column is indexable, no expression on keys. */
export function factFilters(f: StatsFilter): RawBuilder<unknown>[] {
  const parts: RawBuilder<unknown>[] = [];
  if (f.connectorId) parts.push(sql`f.connector_id = ${f.connectorId}`);
  if (f.team !== undefined) parts.push(sql`f.team_key = ${f.team}`);
  if (f.agent !== undefined) parts.push(sql`f.agent_key = ${f.agent}`);
  if (f.category !== undefined) parts.push(sql`f.category = ${f.category}`);
  if (f.priority !== undefined) parts.push(sql`f.priority = ${f.priority}`);
  return parts;
}

/** survey_facts rows of the filter: counted in [from, to) and matching every filter. */
export function factScope(f: StatsFilter): RawBuilder<boolean> {
  return sql<boolean>`${sql.join([sql`f.sent_at >= ${f.from}`, sql`f.sent_at < ${f.to}`, ...factFilters(f)], sql` AND `)}`;
}

function rangesSql(col: string, ranges: DayRange[], asDate: boolean): RawBuilder<unknown> {
  const one = (r: DayRange) =>
    asDate ? sql`(${sql.raw(col)} >= ${ymd(r.from)}::date AND ${sql.raw(col)} < ${ymd(r.to)}::date)` : sql`(${sql.raw(col)} >= ${r.from} AND ${sql.raw(col)} < ${r.to})`;
  return sql`(${sql.join(ranges.map(one), sql` OR `)})`;
}

/** The WHERE clause of a rollup source: its days, the filter, and the dimension its rows are for. */
function rollupFilters(source: Exclude<Source, 'facts'>, ranges: DayRange[], f: StatsFilter, dim: Dim | null): RawBuilder<unknown>[] {
  const { x, day } = ROLLUP[source];
  const filters: RawBuilder<unknown>[] = [rangesSql(day, ranges, true)];
  if (f.connectorId) filters.push(sql`${sql.raw(x)}.connector_id = ${f.connectorId}`);
  if (f.team !== undefined) filters.push(sql`${sql.raw(x)}.team_key = ${f.team}`);
  if (source !== 'days') {
    filters.push(sql`${sql.raw(x)}.dim = ${dim ?? 'team'}`);
    const value = dim === 'agent' ? f.agent : dim === 'category' ? f.category : dim === 'priority' ? f.priority : undefined;
    if (value !== undefined) filters.push(sql`${sql.raw(x)}.dim_key = ${value}`);
  }
  return filters;
}

function part(source: Source, ranges: DayRange[], f: StatsFilter, groupBy: GroupBy, interval: TimeInterval, dim: Dim | null): RawBuilder<unknown> {
  const [key, label] = keyAndLabel(source, groupBy);
  const day = source === 'facts' ? 'f.sent_day' : ROLLUP[source].day;
  const period = interval === 'none' ? sql`NULL::text` : sql`to_char(date_trunc(${interval}, ${sql.raw(day)}::timestamp), 'YYYY-MM-DD')`;
  const head = sql`SELECT ${sql.raw(key)} AS key, ${sql.raw(label)} AS label, ${period} AS period`;
  if (source === 'facts') {
    return sql`${head}, f.scale, f.score, f.detractor, count(*) AS surveys, count(*) FILTER (WHERE f.delivered) AS delivered
      FROM survey_facts f
      WHERE ${sql.join([rangesSql('f.sent_at', ranges, false), ...factFilters(f)], sql` AND `)}
      GROUP BY 1, 2, 3, 4, 5, 6`;
  }
  const { table, x } = ROLLUP[source];
  return sql`${head}, ${sql.raw(x)}.scale, ${sql.raw(x)}.score, ${sql.raw(x)}.detractor, sum(${sql.raw(x)}.surveys) AS surveys, sum(${sql.raw(x)}.delivered) AS delivered
    FROM ${sql.raw(table)}
    WHERE ${sql.join(rollupFilters(source, ranges, f, dim), sql` AND `)}
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

export async function loadCells(reader: AnalyticsReader, f: StatsFilter, groupBy: GroupBy, interval: TimeInterval): Promise<CellRow[]> {
  const dim = rollupDim(f, groupBy);
  const plan = await planFor(reader, f, groupBy, interval);
  const parts = (['months', 'weeks', 'days', 'facts'] as const).flatMap((source) => (plan[source].length ? [part(source, plan[source], f, groupBy, interval, dim)] : []));
  if (!parts.length) return [];
  const label = groupBy === 'connector' ? sql`coalesce((SELECT c.name FROM connectors c WHERE c.id = x.key), max(x.label))` : sql`max(x.label)`;
  const rows = await reader.rows(sql<{ key: string; label: string; period: string | null; scale: Scale; score: number | null; detractor: boolean; surveys: string; delivered: string }>`
    SELECT x.key, ${label} AS label, x.period, x.scale, x.score, x.detractor, sum(x.surveys) AS surveys, sum(x.delivered) AS delivered
    FROM (${sql.join(parts, sql` UNION ALL `)}) AS x
    GROUP BY x.key, x.period, x.scale, x.score, x.detractor`);
  return rows.map((r) => ({ key: r.key, label: r.label, period: r.period, scale: r.scale, score: r.score === null ? null : Number(r.score), detractor: r.detractor === true, surveys: Number(r.surveys), delivered: Number(r.delivered) }));
}

/** Group key and label of a survey_facts row (alias f, with connectors c joined for names). */
export function factKeyLabel(groupBy: Exclude<GroupBy, 'agent'> | 'agent'): { key: RawBuilder<string>; label: RawBuilder<string> } {
  if (groupBy === 'connector') return { key: sql<string>`f.connector_id`, label: sql<string>`c.name` };
  const [key, label] = keyAndLabel('facts', groupBy);
  return { key: sql<string>`${sql.raw(key)}`, label: sql<string>`${sql.raw(label)}` };
}

/** Follow-up counts per group (see FollowUpFigures), read like the cells: rollups hold them for the default 15 minutes. */
export interface FollowUpCounts {
  key: string;
  label: string;
  detractors: number;
  tasksCreated: number;
  createdQuickly: number;
  closedWithin24h: number;
  /** Closed by the task's own due time (each connector's followUp.dueHours). */
  closedWithinDue: number;
  open: number;
  overdue: number;
  escalated: number;
  outcomesRecorded: number;
}

/** The "created within N minutes" the rollups count (fu_quick); any other N is counted from survey_facts. */
export const FOLLOW_UP_ROLLUP_MINUTES = 15;

/** The counters of a rollup table (alias x), under the names the facts part gives them. */
const rollupFollowUpSums = (x: string) =>
  `sum(${x}.surveys) FILTER (WHERE ${x}.detractor) AS detractors, sum(${x}.fu_tasks) AS "tasksCreated", sum(${x}.fu_quick) AS "createdQuickly",
   sum(${x}.fu_closed_24h) AS "closedWithin24h", sum(${x}.fu_closed_due) AS "closedWithinDue", sum(${x}.fu_open) AS open, sum(${x}.fu_overdue) AS overdue, sum(${x}.fu_escalated) AS escalated,
   sum(${x}.fu_outcomes) AS "outcomesRecorded"`;
const FOLLOW_UP_TOTALS = `sum(x.detractors) AS detractors, sum(x."tasksCreated") AS "tasksCreated", sum(x."createdQuickly") AS "createdQuickly",
  sum(x."closedWithin24h") AS "closedWithin24h", sum(x."closedWithinDue") AS "closedWithinDue", sum(x.open) AS open, sum(x.overdue) AS overdue, sum(x.escalated) AS escalated, sum(x."outcomesRecorded") AS "outcomesRecorded"`;

export async function loadFollowUpCounts(reader: AnalyticsReader, f: StatsFilter, groupBy: Exclude<GroupBy, 'agent'>, withinMinutes: number): Promise<FollowUpCounts[]> {
  const dim = withinMinutes === FOLLOW_UP_ROLLUP_MINUTES ? rollupDim(f, groupBy) : null;
  const plan: SourcePlan = dim ? planSources(f.from, f.to, await rollupState(reader, f.from, f.to), grainsFor(dim, 'none')) : { months: [], weeks: [], days: [], facts: [{ from: f.from, to: f.to }] };
  const parts: RawBuilder<unknown>[] = [];
  for (const source of ['months', 'weeks', 'days'] as const) {
    if (!plan[source].length) continue;
    const [key, label] = keyAndLabel(source, groupBy);
    const { table, x } = ROLLUP[source];
    parts.push(sql`SELECT ${sql.raw(key)} AS key, ${sql.raw(label)} AS label, ${sql.raw(rollupFollowUpSums(x))}
      FROM ${sql.raw(table)} WHERE ${sql.join(rollupFilters(source, plan[source], f, dim), sql` AND `)} GROUP BY 1, 2`);
  }
  if (plan.facts.length) {
    const [key, label] = keyAndLabel('facts', groupBy);
    parts.push(sql`SELECT ${sql.raw(key)} AS key, ${sql.raw(label)} AS label,
        count(*) FILTER (WHERE f.detractor) AS detractors,
        count(*) FILTER (WHERE f.follow_up_task) AS "tasksCreated",
        count(*) FILTER (WHERE f.follow_up_created_at <= f.follow_up_answer_at + make_interval(mins => ${withinMinutes})) AS "createdQuickly",
        count(*) FILTER (WHERE f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_answer_at + interval '24 hours') AS "closedWithin24h",
        count(*) FILTER (WHERE f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_due_at) AS "closedWithinDue",
        count(*) FILTER (WHERE f.follow_up_status = 'open') AS open,
        count(*) FILTER (WHERE f.follow_up_overdue) AS overdue,
        count(*) FILTER (WHERE f.follow_up_escalated) AS escalated,
        count(*) FILTER (WHERE f.follow_up_outcome) AS "outcomesRecorded"
      FROM survey_facts f
      WHERE ${sql.join([rangesSql('f.sent_at', plan.facts, false), ...factFilters(f)], sql` AND `)}
        AND f.response_id IS NOT NULL AND (f.detractor OR f.follow_up_id IS NOT NULL)
      GROUP BY 1, 2`);
  }
  if (!parts.length) return [];
  const label = groupBy === 'connector' ? sql`coalesce((SELECT c.name FROM connectors c WHERE c.id = x.key), max(x.label))` : sql`max(x.label)`;
  const rows = await reader.rows(sql<Record<keyof FollowUpCounts, string>>`
    SELECT x.key, ${label} AS label, ${sql.raw(FOLLOW_UP_TOTALS)}
    FROM (${sql.join(parts, sql` UNION ALL `)}) AS x
    GROUP BY x.key`);
  const n = (v: string) => Number(v ?? 0);
  // Groups whose only rows have no detractor or task add nothing: they are left out, as before.
  return rows
    .map((r) => ({ key: r.key, label: r.label, detractors: n(r.detractors), tasksCreated: n(r.tasksCreated), createdQuickly: n(r.createdQuickly), closedWithin24h: n(r.closedWithin24h), closedWithinDue: n(r.closedWithinDue), open: n(r.open), overdue: n(r.overdue), escalated: n(r.escalated), outcomesRecorded: n(r.outcomesRecorded) }))
    .filter((r) => r.detractors + r.tasksCreated + r.open + r.overdue + r.escalated + r.outcomesRecorded > 0);
}

/**
 * Follow-ups of the range's surveys that are open and past their due time right now, per group. It
 * depends on the clock, not on a row change, so no rollup holds it; open follow-ups are few at any time
 * (a partial index holds them), so this reads only those.
 */
export async function loadOverdueNow(reader: AnalyticsReader, f: StatsFilter, groupBy: Exclude<GroupBy, 'agent'>, now: Date): Promise<Map<string, number>> {
  const [key] = keyAndLabel('facts', groupBy);
  const rows = await reader.rows(sql<{ key: string; n: string }>`
    SELECT ${sql.raw(key)} AS key, count(*) AS n
    FROM survey_facts f
    WHERE f.follow_up_status = 'open' AND f.follow_up_due_at < ${now} AND f.response_id IS NOT NULL
      AND ${sql.join([rangesSql('f.sent_at', [{ from: f.from, to: f.to }], false), ...factFilters(f)], sql` AND `)}
    GROUP BY 1`);
  return new Map(rows.map((r) => [r.key, Number(r.n)]));
}
