import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';

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
  /** The answer that stands (null before the first one): the page shows it, read in the same query. */
  answer: { score: number; comment: string | null } | null;
}

/**
 * The survey a link token belongs to, or null — for an unknown token and an expired survey alike,
 * so that the two cannot be told apart from outside. Read-only: pages never write on GET.
 */
export async function surveyByToken(db: Db, tokenHash: Buffer, purpose: 'answer' | 'unsubscribe', now: Date, opts: { drawResponseId?: boolean } = {}): Promise<(TokenSurvey & { nextResponseId: string | null }) | null> {
  const query = db
    .selectFrom('survey_tokens as k')
    .innerJoin('surveys as s', 's.id', 'k.survey_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .leftJoin('responses as r', (j) => j.onRef('r.survey_id', '=', 's.id').on('r.is_active', '=', true))
    .select(['s.id as surveyId', 's.connector_id as connectorId', 's.status', 's.scale', 's.locale', 'p.email', 't.external_key as ticketKey', 't.title as ticketTitle', 's.sent_at as sentAt', 's.expires_at as expiresAt', 'r.score', 'r.comment'])
    // A form post draws the id its answer will get in the same round trip (see recordAnswer).
    .select(opts.drawResponseId ? sql<string>`nextval(pg_get_serial_sequence('responses', 'id'))::text`.as('nextResponseId') : sql<null>`null`.as('nextResponseId'))
    .where('k.token_hash', '=', tokenHash)
    .where('k.purpose', '=', purpose)
    .compile();
  const r = (await db.executeQuery(prepared(query))).rows[0];
  if (!r) return null;
  // Whoever holds the link got the email: a survey still being marked sent ('sending') or whose outcome was
  // lost ('unknown') can be answered like a sent one.
  if (purpose === 'answer' && (!['sending', 'sent', 'unknown'].includes(r.status) || !r.expiresAt || r.expiresAt <= now)) return null;
  const { score, comment, ...survey } = r;
  return { ...(survey as Omit<TokenSurvey, 'answer'> & { nextResponseId: string | null }), answer: score === null ? null : { score, comment } };
}

export interface AnswerInput {
  score: number;
  comment: string | null;
  flagReasons: string[];
  userAgent: string | null;
  clientIpHash: string | null;
  secondsSinceSent: number | null;
}

/** The id the next answer will be stored under, drawn ahead so that its marker can go in the same statement. */
export async function drawResponseId(db: Db): Promise<string> {
  const r = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('responses', 'id'))::text AS id`.execute(db);
  return r.rows[0]!.id;
}

const UNIQUE_VIOLATION = '23505';
const isSecondActiveAnswer = (e: unknown) => (e as { code?: string; constraint?: string })?.code === UNIQUE_VIOLATION && (e as { constraint?: string }).constraint === 'responses_one_active';

/**
 * Records an answer, in one statement; every one is kept (history). An unflagged answer becomes the
 * active one, replacing the previous (whose write-back, if still owed, is superseded), and its write-back
 * is owed from now on; a flagged (suspected bot) answer is kept for inspection but changes nothing.
 * `responseId` comes from drawResponseId (or the page load that drew it): the write-back's marker is
 * derived from it.
 *
 * Two answers to one survey at once (a double click): the survey row lock orders them, but the second
 * statement's snapshot predates the first's answer, so it cannot retire it and the one-active-answer
 * index refuses it. It then runs again, with a snapshot that sees the first answer, and replaces it
 * (each round lets at least one through; the token rate limit keeps rounds few).
 */
const MAX_ROUNDS = 10;
export async function recordAnswer(db: Db, surveyId: string, responseId: string, a: AnswerInput, marker: string): Promise<{ responseId: string; active: boolean }> {
  const active = a.flagReasons.length === 0;
  const values = sql.join([
    sql`${responseId}::bigint`, sql`s.id`, sql`${a.score}::smallint`, sql`${a.comment}::text`, sql`now()`, sql`${a.secondsSinceSent}::int`,
    sql`${a.userAgent?.slice(0, 400) ?? null}::text`, sql`${a.clientIpHash}::text`, sql`${!active}`, sql`${a.flagReasons}::text[]`, sql`${active}`,
  ]);
  const columns = sql.raw('id, survey_id, score, comment, submitted_at, seconds_since_sent, user_agent, client_ip_hash, flagged, flag_reasons, is_active');
  for (let attempt = 1; ; attempt++) {
    try {
      const statement = active
        ? sql`
            WITH s AS (
              SELECT id, connector_id FROM surveys WHERE id = ${surveyId} FOR UPDATE
            ), retired AS (
              UPDATE responses SET is_active = false WHERE survey_id = (SELECT id FROM s) AND is_active RETURNING id
            ), superseded AS (
              -- Found through the answer it was owed for. "IS TRUE" keeps the planner off the index of owed
              -- write-backs (a prepared statement's plan must not scan what grows with a backlog).
              UPDATE writebacks SET status = 'superseded' WHERE response_id IN (SELECT id FROM retired) AND (status = 'pending') IS TRUE
            ), answer AS (
              -- Joined to the count of retired rows, so the previous answer is retired before this one is inserted.
              INSERT INTO responses (${columns}) SELECT ${values} FROM s, (SELECT count(*) FROM retired) AS r RETURNING id
            )
            INSERT INTO writebacks (response_id, survey_id, connector_id, marker)
            SELECT answer.id, s.id, s.connector_id, ${marker} FROM answer, s`
        : sql`INSERT INTO responses (${columns}) SELECT ${values} FROM surveys AS s WHERE s.id = ${surveyId}`;
      const r = await db.executeQuery(prepared(statement.compile(db)));
      if (Number(r.numAffectedRows ?? 0n) === 0) throw new Error(`survey ${surveyId} does not exist`);
      return { responseId, active };
    } catch (e) {
      if (!isSecondActiveAnswer(e) || attempt >= MAX_ROUNDS) throw e;
    }
  }
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
