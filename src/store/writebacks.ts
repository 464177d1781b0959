import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { claimable, type LeasedWork } from './claim-lease.js';
import type { FollowUpState } from '../rules/follow-up-policy.js';
import { ANSWER_ON_TICKET_COLUMNS, type AnswerOnTicket } from './answer-on-ticket.js';

export interface WritebackWork extends AnswerOnTicket {
  id: string;
  status: string;
  attempts: number;
  marker: string;
  isActive: boolean;
  ticketId: string;
  /** The survey's follow-up, if it has one (read in the same query). */
  followUp: { id: string; status: FollowUpState; dueAt: Date } | null;
}

/** The write-backs owed for these answers, by response id (one query for any number; missing ones are absent). */
export async function loadWritebacks(db: Db, responseIds: string[]): Promise<Map<string, WritebackWork>> {
  if (responseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('writebacks as w')
    .leftJoin('follow_ups as f', 'f.survey_id', 'w.survey_id')
    .innerJoin('responses as r', 'r.id', 'w.response_id')
    .innerJoin('surveys as s', 's.id', 'w.survey_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .select([
      'w.id', 'w.status', 'w.attempts', 'w.marker', 'r.id as responseId', 'w.connector_id as connectorId', 'r.is_active as isActive', 't.id as ticketId',
      ...ANSWER_ON_TICKET_COLUMNS,
      'f.id as followUpId', 'f.status as followUpStatus', 'f.due_at as followUpDueAt',
    ])
    .where('w.response_id', '=', sql<string>`any(${responseIds}::bigint[])`)
    .execute();
  return new Map(
    rows.map(({ followUpId, followUpStatus, followUpDueAt, ...work }) => [
      work.responseId,
      { ...(work as Omit<WritebackWork, 'followUp'>), followUp: followUpId ? { id: followUpId, status: followUpStatus!, dueAt: followUpDueAt! } : null },
    ]),
  );
}

export const WRITEBACK_CLAIMS: LeasedWork = { table: 'writebacks', renewedAt: 'claimed_at' };

export type WritebackClaim = { attempt: number; previousScore: number | null };

/**
 * Takes the write-back: a pending one, or a claimed one whose claim has lapsed (its worker is gone; a
 * live worker keeps its claim fresh: see claim-lease.ts). Returns the attempt number (above 1:
 * an earlier attempt may have written) and the score of this survey's last answer already written to
 * the ticket (for "changed from"), or null when the write-back is not there to take.
 */
export async function claimWriteback(db: Db, id: string, leaseMs: number): Promise<WritebackClaim | null> {
  return (await claimWritebacks(db, [id], leaseMs))[0]!;
}

/** claimWriteback for many in one statement; one result per id, in order (an id named twice is taken once). */
export async function claimWritebacks(db: Db, ids: string[], leaseMs: number): Promise<Array<WritebackClaim | null>> {
  const rows = await db
    .updateTable('writebacks as w')
    .set({ status: 'claimed', attempts: sql`attempts + 1`, claimed_at: sql`now()` })
    .where('w.id', '=', sql<string>`any(${[...new Set(ids)]}::bigint[])`)
    .where(claimable(WRITEBACK_CLAIMS, leaseMs))
    .returning((eb) => [
      'w.id',
      'w.attempts',
      eb
        .selectFrom('writebacks as d')
        .innerJoin('responses as r', 'r.id', 'd.response_id')
        .select('r.score')
        .whereRef('d.survey_id', '=', 'w.survey_id')
        .where('d.status', '=', 'done')
        .whereRef('d.id', '!=', 'w.id')
        .orderBy('d.done_at', 'desc')
        .limit(1)
        .as('previousScore'),
    ])
    .execute();
  const taken = new Map(rows.map((r) => [r.id, { attempt: r.attempts, previousScore: r.previousScore ?? null }]));
  return ids.map((id, i) => (ids.indexOf(id) === i ? (taken.get(id) ?? null) : null));
}

export type WritebackFinish = { id: string; status: 'done' | 'superseded' | 'failed'; note?: string };

export async function finishWriteback(db: Db, id: string, status: WritebackFinish['status'], note?: string): Promise<void> {
  await finishWritebacks(db, [{ id, status, note }]);
}

/** Records how write-backs ended, any number in one statement. */
export async function finishWritebacks(db: Db, items: WritebackFinish[]): Promise<void[]> {
  await sql`
    UPDATE writebacks SET status = v.status, done_at = CASE WHEN v.status = 'done' THEN now() ELSE writebacks.done_at END, external_ref = v.note
    FROM unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.status)}::text[], ${items.map((i) => i.note ?? null)}::text[]) AS v(id, status, note)
    WHERE writebacks.id = v.id`.execute(db);
  return items.map(() => undefined);
}
