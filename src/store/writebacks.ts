import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { AnswerOnTicket } from './answer-on-ticket.js';

export interface WritebackWork extends AnswerOnTicket {
  id: string;
  status: string;
  attempts: number;
  marker: string;
  isActive: boolean;
  ticketId: string;
}

export async function loadWriteback(db: Db, responseId: string): Promise<WritebackWork | null> {
  const r = await db
    .selectFrom('writebacks as w')
    .innerJoin('responses as r', 'r.id', 'w.response_id')
    .innerJoin('surveys as s', 's.id', 'w.survey_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .select([
      'w.id', 'w.status', 'w.attempts', 'w.marker', 'r.id as responseId', 's.id as surveyId', 'w.connector_id as connectorId', 'r.score', 'r.comment',
      'r.submitted_at as submittedAt', 'r.is_active as isActive', 's.scale', 't.id as ticketId', 't.external_id as ticketExternalId', 't.external_key as ticketKey',
      't.title as ticketTitle', 't.assignment_group_id as assignmentGroupId', 't.assignment_group_name as assignmentGroupName',
      sql<string>`coalesce(p.display_name, 'the customer')`.as('customer'),
    ])
    .where('w.response_id', '=', responseId)
    .executeTakeFirst();
  return (r as WritebackWork | undefined) ?? null;
}

/** Takes the write-back; returns the attempt number (above 1: an earlier attempt may have written). */
export async function claimWriteback(db: Db, id: string): Promise<number | null> {
  const r = await db
    .updateTable('writebacks')
    .set({ status: 'claimed', attempts: sql`attempts + 1`, claimed_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'claimed'])
    .returning('attempts')
    .executeTakeFirst();
  return r?.attempts ?? null;
}

export async function finishWriteback(db: Db, id: string, status: 'done' | 'superseded' | 'failed', note?: string): Promise<void> {
  await db.updateTable('writebacks').set({ status, ...(status === 'done' ? { done_at: sql`now()` } : {}), external_ref: note ?? null }).where('id', '=', id).execute();
}

/** The score of the last answer of this survey already written to the ticket (for "changed from"). */
export async function lastWrittenScore(db: Db, surveyId: string, exceptId: string): Promise<number | null> {
  const r = await db
    .selectFrom('writebacks as w')
    .innerJoin('responses as r', 'r.id', 'w.response_id')
    .select('r.score')
    .where('w.survey_id', '=', surveyId)
    .where('w.status', '=', 'done')
    .where('w.id', '!=', exceptId)
    .orderBy('w.done_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.score ?? null;
}
