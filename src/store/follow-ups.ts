import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { claimable, type LeasedWork } from './claim-lease.js';
import type { FollowUpState } from '../rules/follow-up-policy.js';
import { ANSWER_ON_TICKET_COLUMNS, type AnswerOnTicket } from './answer-on-ticket.js';

/** Creates the follow-up record (or revives a cancelled one); returns its id. Idempotent per survey. */
export async function upsertFollowUp(db: Db, f: { surveyId: string; responseId: string; ticketId: string; connectorId: string; marker: string; dueAt: Date }): Promise<string> {
  const r = await db
    .insertInto('follow_ups')
    .values({ survey_id: f.surveyId, response_id: f.responseId, ticket_id: f.ticketId, connector_id: f.connectorId, marker: f.marker, due_at: f.dueAt })
    .onConflict((oc) =>
      oc
        .column('survey_id')
        .doUpdateSet({ status: 'pending', response_id: f.responseId, due_at: f.dueAt, updated_at: sql`now()` })
        .where('follow_ups.status', '=', 'cancelled'),
    )
    .returning('id')
    .executeTakeFirst();
  if (r) return r.id;
  return (await db.selectFrom('follow_ups').select('id').where('survey_id', '=', f.surveyId).executeTakeFirstOrThrow()).id;
}

export async function cancelPendingFollowUp(db: Db, id: string, responseId: string): Promise<boolean> {
  const r = await db.updateTable('follow_ups').set({ status: 'cancelled', response_id: responseId, updated_at: sql`now()` }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The latest answer the task should reflect (noted on it by the follow-up stage). */
export async function setLatestResponse(db: Db, id: string, responseId: string): Promise<void> {
  await db.updateTable('follow_ups').set({ response_id: responseId, updated_at: sql`now()` }).where('id', '=', id).execute();
}

export interface FollowUpWork extends AnswerOnTicket {
  id: string;
  status: FollowUpState;
  attempts: number;
  marker: string;
  dueAt: Date;
  externalId: string | null;
  externalKey: string | null;
  notedResponseId: string | null;
  /** Score of the answer last noted on the task (the one it was created for, or a later noted change). */
  notedScore: number | null;
  overdueAt: Date | null;
  escalatedAt: Date | null;
  slaChecks: number;
}

export async function loadFollowUp(db: Db, id: string): Promise<FollowUpWork | null> {
  const r = await db
    .selectFrom('follow_ups as f')
    .innerJoin('responses as r', 'r.id', 'f.response_id')
    .innerJoin('surveys as s', 's.id', 'f.survey_id')
    .innerJoin('tickets as t', 't.id', 'f.ticket_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .leftJoin('responses as nr', 'nr.id', 'f.noted_response_id')
    .select([
      'nr.score as notedScore', 'f.id', 'f.status', 'f.attempts', 'f.marker', 'f.due_at as dueAt', 'f.external_id as externalId', 'f.external_key as externalKey', 'f.response_id as responseId',
      'f.noted_response_id as notedResponseId', 'f.overdue_at as overdueAt', 'f.escalated_at as escalatedAt', 'f.sla_checks as slaChecks',
      'f.connector_id as connectorId', ...ANSWER_ON_TICKET_COLUMNS,
    ])
    .where('f.id', '=', id)
    .executeTakeFirst();
  return (r as FollowUpWork | undefined) ?? null;
}

export const FOLLOW_UP_CLAIMS: LeasedWork = { table: 'follow_ups', renewedAt: 'updated_at' };

/** Claim to create the task. A claim left by a crashed worker is taken over once `leaseMs` has passed (see claim-lease.ts). */
export async function claimFollowUp(db: Db, id: string, leaseMs: number): Promise<number | null> {
  const r = await db
    .updateTable('follow_ups')
    .set({ status: 'claimed', attempts: sql`attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where(claimable(FOLLOW_UP_CLAIMS, leaseMs))
    .returning('attempts')
    .executeTakeFirst();
  return r?.attempts ?? null;
}

export async function markTaskCreated(db: Db, id: string, t: { externalId: string; key: string | null; groupId: string | null; assigneeId: string | null; responseId: string }): Promise<void> {
  await db
    .updateTable('follow_ups')
    .set({ status: 'open', external_id: t.externalId, external_key: t.key, assignment_group_id: t.groupId, assignee_id: t.assigneeId, created_external_at: sql`now()`, noted_response_id: t.responseId, last_error: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'claimed')
    .execute();
}
