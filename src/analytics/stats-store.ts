import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/client.js';
import type { Scale } from '../rules/scales.js';
import { SCALES } from '../rules/scales.js';
import type { Cell } from './figures.js';
import type { GroupBy, StatsFilter, TimeInterval } from './types.js';

/**
 * The SQL behind the stats: surveys sent in the range (a cohort by send date), their ticket, and the
 * active answer. Aggregation happens in Postgres down to histogram cells (group × period × scale ×
 * score), so the service never loads individual answers to compute a figure.
 */

// Group keys carry the connector id, so that two connectors' "SUP" project or group never merge.
const GROUP_KEY: Record<GroupBy, string> = {
  none: `''`,
  connector: `s.connector_id`,
  team: `s.connector_id || ':' || coalesce(t.assignment_group_id, t.assignment_group_name, '')`,
  agent: `s.connector_id || ':' || coalesce(t.assignee_id, t.assignee_name, '')`,
  category: `coalesce(t.category, '')`,
  priority: `coalesce(t.priority, '')`,
};
const GROUP_LABEL: Record<GroupBy, string> = {
  none: `''`,
  connector: `c.name`,
  team: `coalesce(t.assignment_group_name, t.assignment_group_id, '(no team)')`,
  agent: `coalesce(t.assignee_name, t.assignee_id, '(unassigned)')`,
  category: `coalesce(t.category, '(none)')`,
  priority: `coalesce(t.priority, '(none)')`,
};
export const groupKeySql = (g: GroupBy) => sql.raw(GROUP_KEY[g]);
export const groupLabelSql = (g: GroupBy) => sql.raw(GROUP_LABEL[g]);

/** An answer at or below the connector's threshold for its scale is a detractor (followUp.detractorMax). */
export const DETRACTOR_SQL = sql<boolean>`r.score <= coalesce((c.definition->'followUp'->'detractorMax'->>s.scale)::int,
  CASE s.scale WHEN 'csat' THEN ${SCALES.csat.detractorMax}::int WHEN 'nps' THEN ${SCALES.nps.detractorMax}::int ELSE ${SCALES.ces.detractorMax}::int END)`;

/**
 * The time a survey counts at: when it was sent; for a survey whose send outcome was lost ('unknown':
 * claimed for sending, maybe delivered, its links work), when it was claimed for sending — the last
 * moment before the email may have gone. Such surveys count as sent, and their answers like any other.
 */
export const COUNTED_AT = sql<Date>`coalesce(s.sent_at, CASE WHEN s.status = 'unknown' THEN s.claimed_at END)`;

/** The WHERE clause every stats query shares (values are bound parameters). */
export function scopeSql(f: StatsFilter): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [sql`${COUNTED_AT} >= ${f.from}`, sql`${COUNTED_AT} < ${f.to}`];
  if (f.connectorId) parts.push(sql`s.connector_id = ${f.connectorId}`);
  if (f.team) parts.push(sql`${groupKeySql('team')} = ${f.team}`);
  if (f.agent) parts.push(sql`${groupKeySql('agent')} = ${f.agent}`);
  if (f.category) parts.push(sql`${groupKeySql('category')} = ${f.category}`);
  if (f.priority) parts.push(sql`${groupKeySql('priority')} = ${f.priority}`);
  return sql<boolean>`${sql.join(parts, sql` AND `)}`;
}

/** FROM … JOIN clause of the cohort: sent surveys with ticket, connector and the active answer. */
export const COHORT_FROM = sql`surveys s
  JOIN tickets t ON t.id = s.ticket_id
  JOIN connectors c ON c.id = s.connector_id
  LEFT JOIN responses r ON r.survey_id = s.id AND r.is_active`;

export interface CellRow extends Cell {
  key: string;
  label: string;
  period: string | null;
}

export async function loadCells(db: Db, f: StatsFilter, groupBy: GroupBy, interval: TimeInterval): Promise<CellRow[]> {
  const period = interval === 'none' ? sql`NULL::text` : sql`to_char(date_trunc(${interval}, ${COUNTED_AT} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
  const { rows } = await sql<{ key: string; label: string; period: string | null; scale: Scale; score: number | null; detractor: boolean | null; surveys: string; delivered: string }>`
    SELECT ${groupKeySql(groupBy)} AS key, max(${groupLabelSql(groupBy)}) AS label, ${period} AS period, s.scale, r.score,
           coalesce(${DETRACTOR_SQL}, false) AS detractor, count(*) AS surveys, count(s.delivered_at) AS delivered
    FROM ${COHORT_FROM}
    WHERE ${scopeSql(f)}
    GROUP BY 1, 3, 4, 5, 6`.execute(db);
  return rows.map((r) => ({ key: r.key, label: r.label, period: r.period, scale: r.scale, score: r.score === null ? null : Number(r.score), detractor: Boolean(r.detractor), surveys: Number(r.surveys), delivered: Number(r.delivered) }));
}
