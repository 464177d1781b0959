import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { csvLine } from './csv.js';
import { COHORT_FROM, COUNTED_AT, DETRACTOR_SQL, scopeSql } from './stats-store.js';
import type { StatsFilter } from './types.js';

const BATCH = 2000;
export const ANSWER_COLUMNS = ['survey_id', 'connector', 'ticket', 'team', 'category', 'priority', 'scale', 'score', 'detractor', 'comment', 'sent_at', 'answered_at'];

/**
 * Active answers of the cohort as CSV lines, read in keyset batches so that a year of answers streams
 * in constant memory. Agents and requesters are left out on purpose: per-person figures are protected.
 */
export async function* answersCsv(db: Db, f: StatsFilter): AsyncGenerator<string> {
  yield csvLine(ANSWER_COLUMNS);
  let after = '0';
  for (;;) {
    const { rows } = await sql<{ id: string; connector: string; ticket: string | null; team: string | null; category: string | null; priority: string | null; scale: string; score: number; detractor: boolean; comment: string | null; sent_at: Date; answered_at: Date }>`
      SELECT s.id, s.connector_id AS connector, t.external_key AS ticket, t.assignment_group_name AS team, t.category, t.priority,
             s.scale, r.score, ${DETRACTOR_SQL} AS detractor, r.comment, ${COUNTED_AT} AS sent_at, r.submitted_at AS answered_at
      FROM ${COHORT_FROM}
      WHERE ${scopeSql(f)} AND r.id IS NOT NULL AND s.id > ${after}
      ORDER BY s.id LIMIT ${BATCH}`.execute(db);
    for (const r of rows) yield csvLine([r.id, r.connector, r.ticket, r.team, r.category, r.priority, r.scale, r.score, r.detractor ? 'yes' : 'no', r.comment, r.sent_at, r.answered_at]);
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}
