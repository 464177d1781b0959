import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/**
 * One person's data, found by normalised email: their surveys, answers, suppressions and the anti-spam
 * decisions about them — to look at, to export on request, or to erase on request. Erasing anonymises:
 * answers keep their score (aggregates stay true) but lose the comment and every client trace, the
 * person's address and name are replaced, survey links stop working and unsent surveys are cancelled. Active suppressions are kept, so
 * that an erased person is not surveyed again; lifted ones go.
 */
export interface PersonData {
  person: { id: string; email: string; displayName: string | null; locale: string | null; timeZone: string | null; createdAt: Date; erasedAt: Date | null } | null;
  surveys: Array<{ id: string; connectorId: string; ticket: string | null; ticketTitle: string | null; status: string; scale: string; sentAt: Date | null; expiresAt: Date | null }>;
  answers: Array<{ id: string; surveyId: string; ticket: string | null; score: number; comment: string | null; submittedAt: Date; active: boolean; flagged: boolean; flagReasons: string[] }>;
  suppressions: Array<{ email: string; reason: string; source: string | null; createdAt: Date; liftedAt: Date | null; liftedBy: string | null }>;
  decisions: Array<{ id: string; connectorId: string; ticket: string | null; closedAt: Date; outcome: string; reason: string; detail: string; decidedAt: Date }>;
}

export async function findPerson(db: Db, email: string): Promise<PersonData> {
  const p = await db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirst();
  const suppressions = (await db.selectFrom('suppressions').selectAll().where('email', '=', email).execute()).map((s) => ({ email: s.email, reason: s.reason, source: s.source, createdAt: s.created_at, liftedAt: s.lifted_at, liftedBy: s.lifted_by }));
  if (!p) return { person: null, surveys: [], answers: [], suppressions, decisions: [] };
  const [surveys, answers, decisions] = await Promise.all([
    db.selectFrom('surveys as s').innerJoin('tickets as t', 't.id', 's.ticket_id').select(['s.id', 's.connector_id', 't.external_key', 't.title', 's.status', 's.scale', 's.sent_at', 's.expires_at']).where('s.person_id', '=', p.id).orderBy('s.id', 'desc').limit(500).execute(),
    db.selectFrom('responses as r').innerJoin('surveys as s', 's.id', 'r.survey_id').innerJoin('tickets as t', 't.id', 's.ticket_id').select(['r.id', 'r.survey_id', 't.external_key', 'r.score', 'r.comment', 'r.submitted_at', 'r.is_active', 'r.flagged', 'r.flag_reasons']).where('s.person_id', '=', p.id).orderBy('r.id', 'desc').limit(1000).execute(),
    db.selectFrom('survey_decisions as d').innerJoin('closures as c', 'c.id', 'd.closure_id').innerJoin('tickets as t', 't.id', 'c.ticket_id').select(['d.id', 'd.connector_id', 't.external_key', 'c.closed_at', 'd.outcome', 'd.reason', 'd.detail', 'd.decided_at']).where('d.person_id', '=', p.id).orderBy('d.id', 'desc').limit(500).execute(),
  ]);
  return {
    person: { id: String(p.id), email: p.email, displayName: p.display_name, locale: p.locale, timeZone: p.time_zone, createdAt: p.created_at, erasedAt: (p as { erased_at?: Date | null }).erased_at ?? null },
    surveys: surveys.map((s) => ({ id: String(s.id), connectorId: s.connector_id, ticket: s.external_key, ticketTitle: s.title, status: s.status, scale: s.scale, sentAt: s.sent_at, expiresAt: s.expires_at })),
    answers: answers.map((a) => ({ id: String(a.id), surveyId: String(a.survey_id), ticket: a.external_key, score: a.score, comment: a.comment, submittedAt: a.submitted_at, active: a.is_active, flagged: a.flagged, flagReasons: a.flag_reasons })),
    suppressions,
    decisions: decisions.map((d) => ({ id: String(d.id), connectorId: d.connector_id, ticket: d.external_key, closedAt: d.closed_at, outcome: d.outcome, reason: d.reason, detail: d.detail, decidedAt: d.decided_at })),
  };
}

export interface ErasureResult {
  personId: string | null;
  answersAnonymised: number;
  linksRevoked: number;
  surveysCancelled: number;
  mailEventsCleared: number;
  liftedSuppressionsDeleted: number;
  activeSuppressionKept: boolean;
  replacement: string;
}

/** Anonymises one person in one transaction (see the module comment). Idempotent: erasing twice changes nothing more. */
export async function erasePerson(db: Db, email: string): Promise<ErasureResult> {
  return db.transaction().execute(async (trx) => {
    const p = await trx.selectFrom('people').select(['id']).where('email', '=', email).forUpdate().executeTakeFirst();
    const replacement = p ? `erased-${p.id}@erased.invalid` : 'erased@erased.invalid';
    let answers = 0;
    let links = 0;
    let mail = 0;
    let cancelled = 0;
    if (p) {
      const surveyIds = trx.selectFrom('surveys').select('id').where('person_id', '=', p.id);
      answers = Number((await trx.updateTable('responses').set({ comment: null, user_agent: null, client_ip_hash: null }).where('survey_id', 'in', surveyIds).executeTakeFirst()).numUpdatedRows);
      links = Number((await trx.deleteFrom('survey_tokens').where('survey_id', 'in', surveyIds).executeTakeFirst()).numDeletedRows);
      // A survey not sent yet would go to the replaced address: it is cancelled instead.
      cancelled = Number((await trx.updateTable('surveys').set({ status: 'cancelled', failed_reason: 'the person’s data was erased on request', updated_at: sql`now()` }).where('person_id', '=', p.id).where('status', '=', 'scheduled').executeTakeFirst()).numUpdatedRows);
      mail = Number((await trx.updateTable('mail_events').set({ recipient: 'erased', detail: null }).where('survey_id', 'in', surveyIds).executeTakeFirst()).numUpdatedRows);
      await sql`UPDATE people SET email = ${replacement}, email_domain = 'erased.invalid', display_name = NULL, locale = NULL, time_zone = NULL, erased_at = now(), updated_at = now() WHERE id = ${p.id}`.execute(trx);
    }
    mail += Number((await trx.updateTable('mail_events').set({ recipient: 'erased', detail: null }).where('recipient', '=', email).executeTakeFirst()).numUpdatedRows);
    const lifted = Number((await trx.deleteFrom('suppressions').where('email', '=', email).where('lifted_at', 'is not', null).executeTakeFirst()).numDeletedRows);
    const active = !!(await trx.selectFrom('suppressions').select('email').where('email', '=', email).executeTakeFirst());
    return { personId: p ? String(p.id) : null, answersAnonymised: answers, linksRevoked: links, surveysCancelled: cancelled, mailEventsCleared: mail, liftedSuppressionsDeleted: lifted, activeSuppressionKept: active, replacement };
  });
}
