import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { WhatMattered } from '../db/schema.js';
import { prepared } from '../db/prepared.js';
import { StatementBatcher } from '../lib/statement-batcher.js';

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
  answer: { score: number; comment: string | null; whatMattered: WhatMattered | null } | null;
}

type TokenRow = Omit<TokenSurvey, 'answer'> & { nextResponseId: string | null; score: number | null; comment: string | null; whatMattered: WhatMattered | null };
interface TokenLookup {
  hash: Buffer;
  purpose: 'answer' | 'unsubscribe';
  draw: boolean;
}

/**
 * The survey a link token belongs to, or null — for an unknown token and an expired survey alike,
 * so that the two cannot be told apart from outside. Read-only: pages never write on GET.
 * The lookups of the requests being served at once share one statement (see perDb).
 */
export async function surveyByToken(db: Db, tokenHash: Buffer, purpose: 'answer' | 'unsubscribe', now: Date, opts: { drawResponseId?: boolean } = {}): Promise<(TokenSurvey & { nextResponseId: string | null }) | null> {
  const r = await perDb(db).tokens.submit({ hash: tokenHash, purpose, draw: opts.drawResponseId ?? false });
  if (!r) return null;
  // Whoever holds the link got the email: a survey still being marked sent ('sending') or whose outcome was
  // lost ('unknown') can be answered like a sent one.
  if (purpose === 'answer' && (!['sending', 'sent', 'unknown'].includes(r.status) || !r.expiresAt || r.expiresAt <= now)) return null;
  const { score, comment, whatMattered, ...survey } = r;
  return { ...survey, answer: score === null ? null : { score, comment, whatMattered } };
}

/** One lookup: a prepared statement (its generic plan reaches every row by key). */
async function tokenSurvey(db: Db, t: TokenLookup): Promise<TokenRow | null> {
  const query = db
    .selectFrom('survey_tokens as k')
    .innerJoin('surveys as s', 's.id', 'k.survey_id')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .leftJoin('responses as r', (j) => j.onRef('r.survey_id', '=', 's.id').on('r.is_active', '=', true))
    .select(['s.id as surveyId', 's.connector_id as connectorId', 's.status', 's.scale', 's.locale', 'p.email', 't.external_key as ticketKey', 't.title as ticketTitle', 's.sent_at as sentAt', 's.expires_at as expiresAt', 'r.score', 'r.comment', 'r.what_mattered as whatMattered'])
    // A form post draws the id its answer will get in the same round trip (see recordAnswer).
    .select(t.draw ? sql<string>`nextval(pg_get_serial_sequence('responses', 'id'))::text`.as('nextResponseId') : sql<null>`null`.as('nextResponseId'))
    .where('k.token_hash', '=', t.hash)
    .where('k.purpose', '=', t.purpose)
    .compile();
  return ((await db.executeQuery(prepared(query))).rows[0] as TokenRow | undefined) ?? null;
}

/** Several lookups in one statement, one result per lookup in order (planned for the batch at hand). */
async function tokenSurveys(db: Db, ts: TokenLookup[]): Promise<Array<TokenRow | null>> {
  const r = await sql<TokenRow & { i: string }>`
    SELECT v.i::text AS i, s.id AS "surveyId", s.connector_id AS "connectorId", s.status, s.scale, s.locale, p.email, t.external_key AS "ticketKey",
      t.title AS "ticketTitle", s.sent_at AS "sentAt", s.expires_at AS "expiresAt", r.score, r.comment, r.what_mattered AS "whatMattered",
      CASE WHEN v.draw THEN nextval(pg_get_serial_sequence('responses', 'id'))::text END AS "nextResponseId"
    FROM unnest(${ts.map((t) => t.hash)}::bytea[], ${ts.map((t) => t.purpose)}::text[], ${ts.map((t) => t.draw)}::bool[]) WITH ORDINALITY AS v(hash, purpose, draw, i)
    JOIN survey_tokens k ON k.token_hash = v.hash AND k.purpose = v.purpose
    JOIN surveys s ON s.id = k.survey_id
    JOIN people p ON p.id = s.person_id
    JOIN tickets t ON t.id = s.ticket_id
    LEFT JOIN responses r ON r.survey_id = s.id AND r.is_active`.execute(db);
  const byIndex = new Map(r.rows.map(({ i, ...row }) => [Number(i) - 1, row as TokenRow]));
  return ts.map((_, i) => byIndex.get(i) ?? null);
}

export interface AnswerInput {
  score: number;
  comment: string | null;
  flagReasons: string[];
  userAgent: string | null;
  clientIpHash: string | null;
  secondsSinceSent: number | null;
  /** The optional "what mattered most" answer; kept with every answer like the rating. */
  whatMattered?: WhatMattered | null;
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
  // The answers being recorded at once share one statement (see perDb); flagged ones are rare and go alone.
  const stored = active ? await perDb(db).answers.submit({ surveyId, responseId, a, marker }) : await recordOne(db, { surveyId, responseId, a, marker });
  if (!stored) throw new Error(`survey ${surveyId} does not exist`);
  return { responseId, active };
}

interface NewAnswer {
  surveyId: string;
  responseId: string;
  a: AnswerInput;
  marker: string;
}

/** One answer, as a prepared statement; false when its survey does not exist. */
async function recordOne(db: Db, { surveyId, responseId, a, marker }: NewAnswer): Promise<boolean> {
  const active = a.flagReasons.length === 0;
  const values = sql.join([
    sql`${responseId}::bigint`, sql`s.id`, sql`${a.score}::smallint`, sql`${a.comment}::text`, sql`now()`, sql`${a.secondsSinceSent}::int`,
    sql`${a.userAgent?.slice(0, 400) ?? null}::text`, sql`${a.clientIpHash}::text`, sql`${!active}`, sql`${a.flagReasons}::text[]`, sql`${active}`,
    sql`${a.whatMattered ?? null}::text`,
  ]);
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
              INSERT INTO responses (${ANSWER_COLUMNS}) SELECT ${values} FROM s, (SELECT count(*) FROM retired) AS r RETURNING id
            )
            INSERT INTO writebacks (response_id, survey_id, connector_id, marker)
            SELECT answer.id, s.id, s.connector_id, ${marker} FROM answer, s`
        : sql`INSERT INTO responses (${ANSWER_COLUMNS}) SELECT ${values} FROM surveys AS s WHERE s.id = ${surveyId}`;
      const r = await db.executeQuery(prepared(statement.compile(db)));
      return Number(r.numAffectedRows ?? 0n) > 0;
    } catch (e) {
      if (!isSecondActiveAnswer(e) || attempt >= MAX_ROUNDS) throw e;
    }
  }
}
const ANSWER_COLUMNS = sql.raw('id, survey_id, score, comment, submitted_at, seconds_since_sent, user_agent, client_ip_hash, flagged, flag_reasons, is_active, what_mattered');

/**
 * Several active answers, to different surveys, in one statement that does for each what recordOne does.
 * Two answers to one survey (or one raced by another statement) make it fail with the one-active-answer
 * index: the batcher then records each alone, with recordOne's retry.
 */
async function recordMany(db: Db, ns: NewAnswer[]): Promise<boolean[]> {
  const col = <T>(f: (n: NewAnswer) => T) => ns.map(f);
  const r = await sql<{ response_id: string }>`
    WITH v AS (
      SELECT * FROM unnest(${col((n) => n.responseId)}::bigint[], ${col((n) => n.surveyId)}::bigint[], ${col((n) => n.a.score)}::smallint[], ${col((n) => n.a.comment)}::text[],
        ${col((n) => n.a.secondsSinceSent)}::int[], ${col((n) => n.a.userAgent?.slice(0, 400) ?? null)}::text[], ${col((n) => n.a.clientIpHash)}::text[], ${col((n) => n.marker)}::text[],
        ${col((n) => n.a.whatMattered ?? null)}::text[])
        AS v(id, survey_id, score, comment, seconds_since_sent, user_agent, client_ip_hash, marker, what_mattered)
    ), s AS (
      SELECT id, connector_id FROM surveys WHERE id IN (SELECT survey_id FROM v) ORDER BY id FOR UPDATE
    ), retired AS (
      UPDATE responses SET is_active = false WHERE survey_id IN (SELECT id FROM s) AND is_active RETURNING id
    ), superseded AS (
      UPDATE writebacks SET status = 'superseded' WHERE response_id IN (SELECT id FROM retired) AND (status = 'pending') IS TRUE
    ), answer AS (
      INSERT INTO responses (${ANSWER_COLUMNS})
      SELECT v.id, s.id, v.score, v.comment, now(), v.seconds_since_sent, v.user_agent, v.client_ip_hash, false, '{}', true, v.what_mattered
      FROM v JOIN s ON s.id = v.survey_id, (SELECT count(*) FROM retired) AS r
      RETURNING id, survey_id
    )
    INSERT INTO writebacks (response_id, survey_id, connector_id, marker)
    SELECT answer.id, s.id, s.connector_id, v.marker FROM answer JOIN s ON s.id = answer.survey_id JOIN v ON v.id = answer.id
    RETURNING response_id::text AS response_id`.execute(db);
  const stored = new Set(r.rows.map((row) => row.response_id));
  return ns.map((n) => stored.has(n.responseId));
}

/**
 * The api serves many customers at once: their token lookups and answers share statements, through
 * batchers kept per database handle (one statement for everything asked in the same turn, a lone
 * request at once). A batch of one runs its prepared statement.
 */
const batchers = new WeakMap<Db, { tokens: StatementBatcher<TokenLookup, TokenRow | null>; answers: StatementBatcher<NewAnswer, boolean> }>();
function perDb(db: Db) {
  let b = batchers.get(db);
  if (!b) {
    b = {
      tokens: new StatementBatcher((ts) => (ts.length === 1 ? tokenSurvey(db, ts[0]!).then((r) => [r]) : tokenSurveys(db, ts))),
      answers: new StatementBatcher((ns) => (ns.length === 1 ? recordOne(db, ns[0]!).then((r) => [r]) : recordMany(db, ns))),
    };
    batchers.set(db, b);
  }
  return b;
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
