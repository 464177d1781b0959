import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Trx = Transaction<Database>;

export interface ClosureFacts {
  closureId: string;
  status: 'pending' | 'decided';
  connectorId: string;
  ticketId: string;
  closedAt: Date;
  closeCode: string | null;
  resolverId: string | null;
  category: string | null;
  assignmentGroupId: string | null;
  assignmentGroupName: string | null;
  requesterExternalId: string | null;
  personId: string | null;
  email: string | null;
  timeZone: string | null;
  locale: string | null;
}

/**
 * The closures with their tickets and requesters, row-locked (in id order, so that two transactions
 * locking overlapping sets cannot deadlock) so that only one transaction decides each; and, in the same
 * statement, the advisory locks of the people whose closures are still pending. Those serialise decisions
 * for a person across processes and connectors until the transaction ends; they are taken in key order
 * (no deadlock between overlapping sets), after every closure row is held. Their history must be read
 * by a later statement: only its snapshot sees every decision committed while this one waited.
 */
export async function lockClosureFacts(trx: Trx, closureIds: string[]): Promise<ClosureFacts[]> {
  if (closureIds.length === 0) return [];
  const facts = trx
    .selectFrom('closures as c')
    .innerJoin('tickets as t', 't.id', 'c.ticket_id')
    .leftJoin('people as p', 'p.id', 't.requester_person_id')
    .select([
      'c.id as closureId', 'c.status', 't.connector_id as connectorId', 't.id as ticketId', 'c.closed_at as closedAt',
      'c.close_code as closeCode', 'c.resolver_external_id as resolverId', 't.category', 't.assignment_group_id as assignmentGroupId',
      't.assignment_group_name as assignmentGroupName', 't.requester_external_id as requesterExternalId', 'p.id as personId',
      'p.email', 'p.time_zone as timeZone', 'p.locale',
    ])
    .where('c.id', 'in', closureIds)
    .orderBy('c.id')
    .forUpdate('c');
  const rows = await sql<ClosureFacts>`
    WITH f AS (${facts}),
    keys AS (SELECT DISTINCT hashtextextended('person:' || "personId", 0) AS k FROM f WHERE "personId" IS NOT NULL AND status = 'pending' ORDER BY k),
    locked AS (SELECT pg_advisory_xact_lock(k) FROM keys)
    SELECT f.* FROM f CROSS JOIN (SELECT count(*) FROM locked) AS l ORDER BY f."closureId"`.execute(trx);
  return rows.rows;
}

export interface HistoryQuery {
  closureId: string;
  personId: string | null;
  ticketId: string;
  email: string | null;
  lookbackDays: number;
}

export interface PersonHistory {
  surveyedAt: Date[];
  ticketAlreadySurveyed: boolean;
  suppression: Database['suppressions']['reason'] | null;
}

/**
 * What anti-spam needs to know about each closure's person and ticket, in one round trip. Must run as a
 * statement of its own after lockClosureFacts (which takes the people locks): a statement's snapshot is
 * taken when it starts, so only then does it see every decision committed while this one waited.
 */
export async function personHistories(trx: Trx, qs: HistoryQuery[]): Promise<Map<string, PersonHistory>> {
  if (qs.length === 0) return new Map();
  const r = await sql<{ closure_id: string; surveyed: Array<Date | string>; ticket_surveyed: boolean; suppression: PersonHistory['suppression'] }>`
    SELECT v.closure_id::text AS closure_id,
      coalesce((SELECT array_agg(d.decided_at) FROM survey_decisions d
                WHERE d.person_id = v.person_id AND d.outcome = 'survey' AND d.decided_at > now() - make_interval(days => v.days)), '{}') AS surveyed,
      -- From the ticket's few closures to their decisions (never the other way round, whatever the statistics say).
      EXISTS (SELECT 1 FROM closures c CROSS JOIN LATERAL (SELECT 1 FROM survey_decisions d WHERE d.closure_id = c.id AND d.outcome = 'survey' OFFSET 0) AS d
              WHERE c.ticket_id = v.ticket_id) AS ticket_surveyed,
      (SELECT x.reason FROM suppressions x WHERE x.email = v.email AND x.lifted_at IS NULL LIMIT 1) AS suppression
    FROM unnest(${qs.map((q) => q.closureId)}::bigint[], ${qs.map((q) => q.personId)}::bigint[], ${qs.map((q) => q.ticketId)}::bigint[],
                ${qs.map((q) => q.email)}::text[], ${qs.map((q) => q.lookbackDays)}::int[]) AS v(closure_id, person_id, ticket_id, email, days)`.execute(trx);
  return new Map(
    r.rows.map((row) => [
      row.closure_id,
      { surveyedAt: row.surveyed.map((d) => (d instanceof Date ? d : new Date(d))), ticketAlreadySurveyed: row.ticket_surveyed, suppression: row.suppression },
    ]),
  );
}

export interface DecisionRow {
  closureId: string;
  connectorId: string;
  personId: string | null;
  outcome: 'survey' | 'suppressed';
  reason: string;
  detail: string;
  decidedAt: Date;
  /** Set when the outcome is 'survey'. */
  survey: { ticketId: string; personId: string; scale: 'csat' | 'nps' | 'ces'; locale: string | null; sendAfter: Date } | null;
}

/**
 * Stores the decisions, their surveys and marks the closures decided — one statement, so one round trip
 * however many. Returns the survey id of each closure that got one.
 */
export async function recordDecisions(trx: Trx, ds: DecisionRow[]): Promise<Map<string, string>> {
  if (ds.length === 0) return new Map();
  const col = <T>(f: (d: DecisionRow) => T) => ds.map(f);
  const r = await sql<{ closure_id: string; id: string }>`
    WITH v AS (
      SELECT * FROM unnest(
        ${col((d) => d.closureId)}::bigint[], ${col((d) => d.connectorId)}::text[], ${col((d) => d.personId)}::bigint[], ${col((d) => d.outcome)}::text[],
        ${col((d) => d.reason)}::text[], ${col((d) => d.detail)}::text[], ${col((d) => d.decidedAt)}::timestamptz[], ${col((d) => d.survey?.ticketId ?? null)}::bigint[],
        ${col((d) => d.survey?.personId ?? null)}::bigint[], ${col((d) => d.survey?.scale ?? null)}::text[], ${col((d) => d.survey?.locale ?? null)}::text[],
        ${col((d) => d.survey?.sendAfter ?? null)}::timestamptz[]
      ) AS v(closure_id, connector_id, person_id, outcome, reason, detail, decided_at, ticket_id, survey_person_id, scale, locale, send_after)
    ), d AS (
      INSERT INTO survey_decisions (closure_id, connector_id, person_id, outcome, reason, detail, decided_at)
      SELECT closure_id, connector_id, person_id, outcome, reason, detail, decided_at FROM v
      RETURNING id, closure_id
    ), s AS (
      INSERT INTO surveys (decision_id, closure_id, ticket_id, connector_id, person_id, scale, locale, send_after)
      SELECT d.id, v.closure_id, v.ticket_id, v.connector_id, v.survey_person_id, v.scale, v.locale, v.send_after
      FROM d JOIN v ON v.closure_id = d.closure_id
      WHERE v.outcome = 'survey'
      RETURNING id, closure_id
    ), c AS (
      UPDATE closures SET status = 'decided' WHERE id = ANY(${col((d) => d.closureId)}::bigint[])
    )
    SELECT closure_id::text AS closure_id, id::text AS id FROM s`.execute(trx);
  return new Map(r.rows.map((row) => [row.closure_id, row.id]));
}
