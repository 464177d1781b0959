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

/** Monthly rollups serve monthly (and whole-range) figures; daily rows only team-level ones. */
export const grainsFor = (dim: Dim, interval: TimeInterval): Grains => ({ month: interval === 'month' || interval === 'none', day: dim === 'team' });

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
  if (!dim) return { months: [], days: [], facts: [{ from: f.from, to: f.to }] };
  return planSources(f.from, f.to, await rollupState(reader, f.from, f.to), grainsFor(dim, interval));
}

// ---------------------------------------------------------------------------------------------
// One SELECT per source, each giving (key, label, period, scale, score, detractor, surveys, delivered).

type Source = 'facts' | 'days' | 'months';

const CATEGORY_LABEL = (col: string) => `CASE ${col} WHEN '' THEN '(none)' ELSE ${col} END`;

function keyAndLabel(source: Source, groupBy: GroupBy): [string, string] {
  const x = source === 'facts' ? 'f' : source === 'days' ? 'd' : 'm';
  switch (groupBy) {
    case 'none':
      return [`''`, `''`];
    case 'connector':
      return [`${x}.connector_id`, `${x}.connector_id`];
    case 'team':
      return [`${x}.team_key`, `${x}.team_label`];
    case 'agent':
      return source === 'facts' ? ['f.agent_key', 'f.agent_label'] : ['m.dim_key', 'm.dim_label'];
    case 'category':
    case 'priority':
      return source === 'facts' ? [`f.${groupBy}`, CATEGORY_LABEL(`f.${groupBy}`)] : ['m.dim_key', 'm.dim_label'];
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

function part(source: Source, ranges: DayRange[], f: StatsFilter, groupBy: GroupBy, interval: TimeInterval, dim: Dim | null): RawBuilder<unknown> {
  const [key, label] = keyAndLabel(source, groupBy);
  const day = source === 'facts' ? 'f.sent_day' : source === 'days' ? 'd.day' : 'm.month';
  const period = interval === 'none' ? sql`NULL::text` : sql`to_char(date_trunc(${interval}, ${sql.raw(day)}::timestamp), 'YYYY-MM-DD')`;
  const head = sql`SELECT ${sql.raw(key)} AS key, ${sql.raw(label)} AS label, ${period} AS period`;
  if (source === 'facts') {
    return sql`${head}, f.scale, f.score, f.detractor, count(*) AS surveys, count(*) FILTER (WHERE f.delivered) AS delivered
      FROM survey_facts f
      WHERE ${sql.join([rangesSql('f.sent_at', ranges, false), ...factFilters(f)], sql` AND `)}
      GROUP BY 1, 2, 3, 4, 5, 6`;
  }
  const x = source === 'days' ? 'd' : 'm';
  const filters: RawBuilder<unknown>[] = [rangesSql(source === 'days' ? 'd.day' : 'm.month', ranges, true)];
  if (f.connectorId) filters.push(sql`${sql.raw(x)}.connector_id = ${f.connectorId}`);
  if (f.team !== undefined) filters.push(sql`${sql.raw(x)}.team_key = ${f.team}`);
  if (source === 'months') {
    filters.push(sql`m.dim = ${dim ?? 'team'}`);
    const value = dim === 'agent' ? f.agent : dim === 'category' ? f.category : dim === 'priority' ? f.priority : undefined;
    if (value !== undefined) filters.push(sql`m.dim_key = ${value}`);
  }
  return sql`${head}, ${sql.raw(x)}.scale, ${sql.raw(x)}.score, ${sql.raw(x)}.detractor, sum(${sql.raw(x)}.surveys) AS surveys, sum(${sql.raw(x)}.delivered) AS delivered
    FROM ${sql.raw(source === 'days' ? 'rollup_team_daily d' : 'rollup_monthly m')}
    WHERE ${sql.join(filters, sql` AND `)}
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

export async function loadCells(reader: AnalyticsReader, f: StatsFilter, groupBy: GroupBy, interval: TimeInterval): Promise<CellRow[]> {
  const dim = rollupDim(f, groupBy);
  const plan = await planFor(reader, f, groupBy, interval);
  const parts = [
    ...(plan.months.length ? [part('months', plan.months, f, groupBy, interval, dim)] : []),
    ...(plan.days.length ? [part('days', plan.days, f, groupBy, interval, dim)] : []),
    ...(plan.facts.length ? [part('facts', plan.facts, f, groupBy, interval, dim)] : []),
  ];
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
