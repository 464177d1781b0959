import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { SurveyStatus } from '../db/schema.js';

export interface SurveyForDelivery {
  id: string;
  status: SurveyStatus;
  connectorId: string;
  scale: 'csat' | 'nps' | 'ces';
  locale: string | null;
  sendAfter: Date;
  sentAt: Date | null;
  expiresAt: Date | null;
  reminderStatus: string | null;
  email: string;
  name: string | null;
  ticketExternalId: string;
  ticketKey: string | null;
  ticketTitle: string | null;
  closedAt: Date;
  hasActiveAnswer: boolean;
  /** Why the recipient must not be mailed (unsubscribed, bounced, …), or null. Read with the survey. */
  suppression: string | null;
}

/** Surveys with what sending them needs, by id (one query for any number; missing ids are absent). */
export async function loadSurveysForDelivery(db: Db, surveyIds: string[]): Promise<Map<string, SurveyForDelivery>> {
  if (surveyIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('surveys as s')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .innerJoin('closures as c', 'c.id', 's.closure_id')
    .select((eb) => [
      's.id', 's.status', 's.connector_id as connectorId', 's.scale', 's.locale', 's.send_after as sendAfter', 's.sent_at as sentAt',
      's.expires_at as expiresAt', 's.reminder_status as reminderStatus', 'p.email', 'p.display_name as name',
      't.external_id as ticketExternalId', 't.external_key as ticketKey', 't.title as ticketTitle', 'c.closed_at as closedAt',
      eb.exists(eb.selectFrom('responses as r').select('r.id').whereRef('r.survey_id', '=', 's.id').where('r.is_active', '=', true)).as('hasActiveAnswer'),
      eb.selectFrom('suppressions as x').select('x.reason').whereRef('x.email', '=', 'p.email').where('x.lifted_at', 'is', null).limit(1).as('suppression'),
    ])
    .where('s.id', '=', sql<string>`any(${surveyIds}::bigint[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r as SurveyForDelivery]));
}

export interface SendClaim {
  surveyId: string;
  tokens: Array<{ hash: Buffer; purpose: 'answer' | 'unsubscribe' }>;
  expiresAt: Date;
}

/**
 * Claims a scheduled survey for sending and stores its token hashes, atomically (one statement, so one
 * round trip): only one worker can move it from scheduled to sending. Returns false when someone else did.
 */
export async function claimForSending(db: Db, surveyId: string, tokens: SendClaim['tokens'], expiresAt: Date): Promise<boolean> {
  return (await claimSurveysForSending(db, [{ surveyId, tokens, expiresAt }]))[0]!;
}

/**
 * claimForSending for many surveys in one statement; one result per claim, in order. A survey named
 * twice is claimed at most once (the first claim of it; the others get false).
 */
export async function claimSurveysForSending(db: Db, claims: SendClaim[]): Promise<boolean[]> {
  const first = new Map<string, number>();
  claims.forEach((c, i) => first.has(c.surveyId) || first.set(c.surveyId, i));
  const unique = [...first.values()].map((i) => claims[i]!);
  const tokens = unique.flatMap((c) => c.tokens.map((t) => ({ ...t, surveyId: c.surveyId })));
  const r = await sql<{ id: string }>`
    WITH claimed AS (
      UPDATE surveys SET status = 'sending', attempts = attempts + 1, claimed_at = now(), expires_at = v.expires_at, updated_at = now()
      FROM unnest(${unique.map((c) => c.surveyId)}::bigint[], ${unique.map((c) => c.expiresAt)}::timestamptz[]) AS v(id, expires_at)
      WHERE surveys.id = v.id AND surveys.status = 'scheduled'
      RETURNING surveys.id
    ), stored AS (
      INSERT INTO survey_tokens (token_hash, survey_id, purpose)
      SELECT t.token_hash, claimed.id, t.purpose
      FROM unnest(${tokens.map((t) => t.hash)}::bytea[], ${tokens.map((t) => t.surveyId)}::bigint[], ${tokens.map((t) => t.purpose)}::text[]) AS t(token_hash, survey_id, purpose)
      JOIN claimed ON claimed.id = t.survey_id
    )
    SELECT id::text AS id FROM claimed`.execute(db);
  const won = new Set(r.rows.map((row) => row.id));
  return claims.map((c, i) => first.get(c.surveyId) === i && won.has(c.surveyId));
}

/** The email was certainly not sent: back to scheduled, and its tokens are void. */
export async function releaseClaim(db: Db, surveyId: string, tokenHashes: Buffer[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('survey_tokens').where('token_hash', 'in', tokenHashes).execute();
    await trx.updateTable('surveys').set({ status: 'scheduled', claimed_at: null, updated_at: sql`now()` }).where('id', '=', surveyId).where('status', '=', 'sending').execute();
  });
}

export type SendOutcome = { status: 'sent'; messageId: string; at: Date } | { status: 'failed' | 'unknown'; reason: string };

export async function finishSending(db: Db, surveyId: string, outcome: SendOutcome): Promise<void> {
  await finishSendings(db, [{ surveyId, outcome }]);
}

/** Records the outcomes of claimed sends, any number in one statement (only surveys still 'sending' change). */
export async function finishSendings(db: Db, items: Array<{ surveyId: string; outcome: SendOutcome }>): Promise<void[]> {
  const col = <T>(f: (o: SendOutcome) => T) => items.map((i) => f(i.outcome));
  await sql`
    UPDATE surveys SET status = v.status, message_id = coalesce(v.message_id, surveys.message_id), sent_at = coalesce(v.sent_at, surveys.sent_at),
      failed_reason = v.failed_reason, updated_at = now()
    FROM unnest(${items.map((i) => i.surveyId)}::bigint[], ${col((o) => o.status)}::text[], ${col((o) => (o.status === 'sent' ? o.messageId : null))}::text[],
      ${col((o) => (o.status === 'sent' ? o.at : null))}::timestamptz[], ${col((o) => (o.status === 'sent' ? null : o.reason.slice(0, 1000)))}::text[])
      AS v(id, status, message_id, sent_at, failed_reason)
    WHERE surveys.id = v.id AND surveys.status = 'sending'`.execute(db);
  return items.map(() => undefined);
}

export async function cancelSurvey(db: Db, surveyId: string, reason: string): Promise<void> {
  await db.updateTable('surveys').set({ status: 'cancelled', failed_reason: reason, updated_at: sql`now()` }).where('id', '=', surveyId).where('status', '=', 'scheduled').execute();
}

/** Reminder: at most one, only for a sent survey without an answer. */
export async function claimReminder(db: Db, surveyId: string, tokens: Array<{ hash: Buffer; purpose: 'answer' | 'unsubscribe' }>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('surveys as s')
      .set({ reminder_status: 'sending', reminder_claimed_at: sql`now()`, updated_at: sql`now()` })
      .where('s.id', '=', surveyId)
      .where('s.status', '=', 'sent')
      .where('s.reminder_status', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('responses as r').select('r.id').whereRef('r.survey_id', '=', 's.id').where('r.is_active', '=', true))))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await trx.insertInto('survey_tokens').values(tokens.map((t) => ({ token_hash: t.hash, survey_id: surveyId, purpose: t.purpose }))).execute();
    return true;
  });
}

export async function releaseReminderClaim(db: Db, surveyId: string, tokenHashes: Buffer[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('survey_tokens').where('token_hash', 'in', tokenHashes).execute();
    await trx.updateTable('surveys').set({ reminder_status: null, reminder_claimed_at: null }).where('id', '=', surveyId).where('reminder_status', '=', 'sending').execute();
  });
}

export async function finishReminder(db: Db, surveyId: string, outcome: { status: 'sent'; messageId: string; at: Date } | { status: 'failed' | 'unknown' | 'skipped'; reason: string }): Promise<void> {
  const set = outcome.status === 'sent' ? { reminder_status: 'sent' as const, reminder_message_id: outcome.messageId, reminder_sent_at: outcome.at } : { reminder_status: outcome.status };
  await db.updateTable('surveys').set(set).where('id', '=', surveyId).execute();
}
