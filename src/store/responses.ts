import { sql } from 'kysely';
import type { Db } from '../db/client.js';

export interface TokenSurvey {
  surveyId: string;
  connectorId: string;
  status: string;
  scale: 'csat' | 'nps' | 'ces';
  locale: string | null;
  email: string;
  ticketKey: string | null;
  ticketTitle: string | null;
  sentAt: Date | null;
  expiresAt: Date | null;
}

/**
 * The survey a link token belongs to, or null — for an unknown token and an expired survey alike,
 * so that the two cannot be told apart from outside. Read-only: pages never write on GET.
 */
export async function surveyByToken(db: Db, tokenHash: Buffer, purpose: 'answer' | 'unsubscribe', now: Date): Promise<TokenSurvey | null> {
  const r = await db
    .selectFrom('survey_tokens as k')
    .innerJoin('surveys as s', 's.id', 'k.survey_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .select(['s.id as surveyId', 's.connector_id as connectorId', 's.status', 's.scale', 's.locale', 'p.email', 't.external_key as ticketKey', 't.title as ticketTitle', 's.sent_at as sentAt', 's.expires_at as expiresAt'])
    .where('k.token_hash', '=', tokenHash)
    .where('k.purpose', '=', purpose)
    .executeTakeFirst();
  if (!r) return null;
  // Whoever holds the link got the email: a survey still being marked sent ('sending') or whose outcome was
  // lost ('unknown') can be answered like a sent one.
  if (purpose === 'answer' && (!['sending', 'sent', 'unknown'].includes(r.status) || !r.expiresAt || r.expiresAt <= now)) return null;
  return r as TokenSurvey;
}

export async function activeAnswer(db: Db, surveyId: string): Promise<{ score: number; comment: string | null } | null> {
  const r = await db.selectFrom('responses').select(['score', 'comment']).where('survey_id', '=', surveyId).where('is_active', '=', true).executeTakeFirst();
  return r ?? null;
}

export interface AnswerInput {
  score: number;
  comment: string | null;
  flagReasons: string[];
  userAgent: string | null;
  clientIpHash: string | null;
  secondsSinceSent: number | null;
}

/**
 * Records an answer; every one is kept (history). An unflagged answer becomes the active one, replacing
 * the previous; a flagged (suspected bot) answer is kept for inspection but changes nothing.
 * Three statements in the transaction: the survey row lock (which also draws the answer's id, so that
 * its marker is known before the insert), retiring the active answer, the answer with its write-back.
 */
export async function recordAnswer(db: Db, surveyId: string, a: AnswerInput, markerFor: (responseId: string) => string): Promise<{ responseId: string; active: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Serialise answers to one survey (a double-click must not leave two active answers).
    const survey = await trx
      .selectFrom('surveys')
      .select(['id', 'connector_id', sql<string>`nextval(pg_get_serial_sequence('responses', 'id'))::text`.as('responseId')])
      .where('id', '=', surveyId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const active = a.flagReasons.length === 0;
    const responseId = survey.responseId;
    // A statement of its own, after the lock: only its fresh snapshot sees an answer committed meanwhile.
    // The write-back still owed for the answer it replaces (if any) is superseded: it is found through
    // that answer (writebacks are indexed by response, not by survey).
    if (active) {
      await trx
        .with('retired', (qb) => qb.updateTable('responses').set({ is_active: false }).where('survey_id', '=', surveyId).where('is_active', '=', true).returning('id'))
        .updateTable('writebacks')
        .set({ status: 'superseded' })
        .where('response_id', 'in', (eb) => eb.selectFrom('retired').select('retired.id'))
        .where('status', '=', 'pending')
        .execute();
    }
    const values = {
      id: responseId,
      survey_id: surveyId,
      score: a.score,
      comment: a.comment,
      submitted_at: sql<Date>`now()`,
      seconds_since_sent: a.secondsSinceSent,
      user_agent: a.userAgent?.slice(0, 400) ?? null,
      client_ip_hash: a.clientIpHash,
      flagged: !active,
      flag_reasons: a.flagReasons,
      is_active: active,
    };
    if (!active) {
      await trx.insertInto('responses').values(values).execute();
      return { responseId, active };
    }
    // The write-back of this answer is owed from now on.
    await trx
      .with('answer', (qb) => qb.insertInto('responses').values(values).returning('id'))
      .insertInto('writebacks')
      .values({ response_id: responseId, survey_id: surveyId, connector_id: survey.connector_id, marker: markerFor(responseId) })
      .execute();
    return { responseId, active };
  });
}

/** Opt-out: on the suppression list at once; a pending reminder will not go. */
export async function optOut(db: Db, email: string, surveyId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('suppressions')
      .values({ email, reason: 'unsubscribed', source: `survey:${surveyId}` })
      .onConflict((oc) => oc.column('email').doUpdateSet({ reason: 'unsubscribed', source: `survey:${surveyId}`, created_at: sql`now()`, lifted_at: null, lifted_by: null }))
      .execute();
    await trx.updateTable('surveys').set({ reminder_status: 'skipped' }).where('id', '=', surveyId).where('reminder_status', 'is', null).execute();
  });
}
