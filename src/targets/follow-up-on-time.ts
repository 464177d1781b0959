import { sql, type RawBuilder } from 'kysely';
import type { AnalyticsReader } from '../analytics/reader.js';
import type { DayRange } from './periods.js';

/**
 * Follow-up on time, per team, for the surveys counted in a range (read from survey_facts).
 * A follow-up is judged once it is closed or its due time has passed: due = the answer that
 * triggered it + its connector's followUp.dueHours (24 unless configured). It is on time when its
 * task was closed by then. Follow-ups cancelled because the customer changed to a satisfied rating
 * before a task existed are not counted; ones whose task could not be created count as late once due.
 */
export interface OnTimeCounts {
  key: string;
  label: string;
  /** Closed, or past their due time. */
  judged: number;
  onTime: number;
}

export interface Scope {
  connectorId?: string;
  team?: string;
}

export function scopeSql(s: Scope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (s.connectorId) parts.push(sql`f.connector_id = ${s.connectorId}`);
  if (s.team !== undefined) parts.push(sql`f.team_key = ${s.team}`);
  return sql.join(parts, sql` AND `);
}

export async function followUpOnTime(reader: AnalyticsReader, range: DayRange, scope: Scope, now: Date): Promise<OnTimeCounts[]> {
  const rows = await reader.rows(sql<{ key: string; label: string; judged: string; onTime: string }>`
    SELECT f.team_key AS key, max(f.team_label) AS label,
      count(*) FILTER (WHERE f.follow_up_closed_at IS NOT NULL OR f.follow_up_answer_at + d.due <= ${now}) AS judged,
      count(*) FILTER (WHERE f.follow_up_closed_at IS NOT NULL AND f.follow_up_closed_at <= f.follow_up_answer_at + d.due) AS "onTime"
    FROM survey_facts f
    JOIN connectors c ON c.id = f.connector_id
    CROSS JOIN LATERAL (SELECT make_interval(hours => coalesce((c.definition -> 'followUp' ->> 'dueHours')::int, 24)) AS due) d
    WHERE f.sent_at >= ${range.from} AND f.sent_at < ${range.to} AND ${scopeSql(scope)}
      AND f.follow_up_id IS NOT NULL AND f.follow_up_status <> 'cancelled' AND f.follow_up_answer_at IS NOT NULL
    GROUP BY f.team_key`);
  return rows.map((r) => ({ key: r.key, label: r.label, judged: Number(r.judged), onTime: Number(r.onTime) }));
}
