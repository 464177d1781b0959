import { sql } from 'kysely';
import { csvLine } from './csv.js';
import { factScope } from './facts/cells.js';
import type { AnalyticsReader } from './reader.js';
import type { StatsFilter } from './types.js';

const BATCH = 2000;
export const ANSWER_COLUMNS = ['survey_id', 'connector', 'ticket', 'team', 'category', 'priority', 'scale', 'score', 'detractor', 'comment', 'sent_at', 'answered_at'];

/**
 * Standing answers of the cohort as CSV lines, in the order they count (sent_at), read through one
 * server-side cursor: any length streams in constant memory and one index walk. Agents and
 * requesters are left out on purpose: per-person figures are protected.
 */
export async function* answersCsv(reader: AnalyticsReader, f: StatsFilter): AsyncGenerator<string> {
  yield csvLine(ANSWER_COLUMNS);
  const query = sql<{ id: string; connector: string; ticket: string | null; team: string | null; category: string | null; priority: string | null; scale: string; score: number; detractor: boolean; comment: string | null; sent_at: Date; answered_at: Date }>`
    SELECT f.survey_id AS id, f.connector_id AS connector, t.external_key AS ticket, t.assignment_group_name AS team, t.category, t.priority,
           f.scale, f.score, f.detractor, r.comment, f.sent_at, f.answered_at
    FROM survey_facts f
    JOIN tickets t ON t.id = f.ticket_id
    JOIN responses r ON r.id = f.response_id
    WHERE ${factScope(f)} AND f.response_id IS NOT NULL
    ORDER BY f.sent_at, f.survey_id`;
  for await (const rows of reader.cursor(query, BATCH)) {
    let chunk = '';
    for (const r of rows) chunk += csvLine([r.id, r.connector, r.ticket, r.team, r.category, r.priority, r.scale, r.score, r.detractor ? 'yes' : 'no', r.comment, r.sent_at, r.answered_at]);
    yield chunk;
  }
}
