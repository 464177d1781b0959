import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { claimable, type LeasedWork } from './claim-lease.js';
import type { FollowUpState } from '../rules/follow-up-policy.js';
import { ANSWER_ON_TICKET_COLUMNS, type AnswerOnTicket } from './answer-on-ticket.js';

export interface NewFollowUp {
  surveyId: string;
  responseId: string;
  ticketId: string;
  connectorId: string;
  marker: string;
  dueAt: Date;
}

/** Creates the follow-up record (or revives a cancelled one); returns its id. Idempotent per survey. */
export async function upsertFollowUp(db: Db, f: NewFollowUp): Promise<string> {
  return (await upsertFollowUps(db, [f]))[0]!;
}

/**
 * upsertFollowUp for many surveys in one statement; one id per item, in order. Two items for one survey
 * cannot share a statement (Postgres refuses to upsert a row twice): the batch fails, and a batcher
 * runs its items alone.
 */
export async function upsertFollowUps(db: Db, fs: NewFollowUp[]): Promise<string[]> {
  const col = <T>(g: (f: NewFollowUp) => T) => fs.map(g);
  const r = await sql<{ survey_id: string; id: string }>`
    WITH v AS (
      SELECT * FROM unnest(${col((f) => f.surveyId)}::bigint[], ${col((f) => f.responseId)}::bigint[], ${col((f) => f.ticketId)}::bigint[],
        ${col((f) => f.connectorId)}::text[], ${col((f) => f.marker)}::text[], ${col((f) => f.dueAt)}::timestamptz[])
        AS v(survey_id, response_id, ticket_id, connector_id, marker, due_at)
    ), upserted AS (
      INSERT INTO follow_ups (survey_id, response_id, ticket_id, connector_id, marker, due_at)
      SELECT survey_id, response_id, ticket_id, connector_id, marker, due_at FROM v
      ON CONFLICT (survey_id) DO UPDATE SET status = 'pending', response_id = excluded.response_id, due_at = excluded.due_at, updated_at = now()
      WHERE follow_ups.status = 'cancelled'
      RETURNING id, survey_id
    )
    -- A follow-up already there (and not cancelled) is left as it is: its id is read as it was.
    SELECT v.survey_id::text AS survey_id, coalesce(u.id, f.id)::text AS id
    FROM v LEFT JOIN upserted u ON u.survey_id = v.survey_id LEFT JOIN follow_ups f ON f.survey_id = v.survey_id`.execute(db);
  const ids = new Map(r.rows.map((row) => [row.survey_id, row.id]));
  return fs.map((f) => {
    const id = ids.get(f.surveyId);
    if (!id) throw new Error(`follow-up for survey ${f.surveyId} was not stored`);
    return id;
  });
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
  return (await loadFollowUps(db, [id])).get(id) ?? null;
}

/** Follow-ups with what their stages need, by id (one query for any number; missing ids are absent). */
export async function loadFollowUps(db: Db, ids: string[]): Promise<Map<string, FollowUpWork>> {
  if (ids.length === 0) return new Map();
  const rows = await db
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
    .where('f.id', '=', sql<string>`any(${ids}::bigint[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r as FollowUpWork]));
}

export const FOLLOW_UP_CLAIMS: LeasedWork = { table: 'follow_ups', renewedAt: 'updated_at' };

/** Claim to create the task. A claim left by a crashed worker is taken over once `leaseMs` has passed (see claim-lease.ts). */
export async function claimFollowUp(db: Db, id: string, leaseMs: number): Promise<number | null> {
  return (await claimFollowUps(db, [id], leaseMs))[0]!;
}

/** claimFollowUp for many in one statement; the attempt (or null) per id, in order (an id named twice is taken once). */
export async function claimFollowUps(db: Db, ids: string[], leaseMs: number): Promise<Array<number | null>> {
  const rows = await db
    .updateTable('follow_ups')
    .set({ status: 'claimed', attempts: sql`attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', sql<string>`any(${[...new Set(ids)]}::bigint[])`)
    .where(claimable(FOLLOW_UP_CLAIMS, leaseMs))
    .returning(['id', 'attempts'])
    .execute();
  const taken = new Map(rows.map((r) => [r.id, r.attempts]));
  return ids.map((id, i) => (ids.indexOf(id) === i ? (taken.get(id) ?? null) : null));
}

export interface CreatedTask {
  id: string;
  externalId: string;
  key: string | null;
  groupId: string | null;
  assigneeId: string | null;
  responseId: string;
}

export async function markTaskCreated(db: Db, id: string, t: Omit<CreatedTask, 'id'>): Promise<void> {
  await markTasksCreated(db, [{ id, ...t }]);
}

/** Records created tasks, any number in one statement (only follow-ups still claimed change). */
export async function markTasksCreated(db: Db, ts: CreatedTask[]): Promise<void[]> {
  const col = <T>(g: (t: CreatedTask) => T) => ts.map(g);
  await sql`
    UPDATE follow_ups SET status = 'open', external_id = v.external_id, external_key = v.external_key, assignment_group_id = v.group_id, assignee_id = v.assignee_id,
      created_external_at = now(), noted_response_id = v.response_id, last_error = NULL, updated_at = now()
    FROM unnest(${col((t) => t.id)}::bigint[], ${col((t) => t.externalId)}::text[], ${col((t) => t.key)}::text[], ${col((t) => t.groupId)}::text[],
      ${col((t) => t.assigneeId)}::text[], ${col((t) => t.responseId)}::bigint[]) AS v(id, external_id, external_key, group_id, assignee_id, response_id)
    WHERE follow_ups.id = v.id AND follow_ups.status = 'claimed'`.execute(db);
  return ts.map(() => undefined);
}
