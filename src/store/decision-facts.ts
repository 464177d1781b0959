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

/** The closure with its ticket and requester, row-locked so only one transaction decides it. */
export async function lockClosureFacts(trx: Trx, closureId: string): Promise<ClosureFacts | null> {
  const r = await trx
    .selectFrom('closures as c')
    .innerJoin('tickets as t', 't.id', 'c.ticket_id')
    .leftJoin('people as p', 'p.id', 't.requester_person_id')
    .select([
      'c.id as closureId', 'c.status', 't.connector_id as connectorId', 't.id as ticketId', 'c.closed_at as closedAt',
      'c.close_code as closeCode', 'c.resolver_external_id as resolverId', 't.category', 't.assignment_group_id as assignmentGroupId',
      't.assignment_group_name as assignmentGroupName', 't.requester_external_id as requesterExternalId', 'p.id as personId',
      'p.email', 'p.time_zone as timeZone', 'p.locale',
    ])
    .where('c.id', '=', closureId)
    .forUpdate('c')
    .executeTakeFirst();
  return (r as ClosureFacts | undefined) ?? null;
}

/**
 * Serialises decisions for one person across processes and connectors until the transaction ends.
 * After it is granted, READ COMMITTED reads see every decision committed before.
 */
export async function lockPerson(trx: Trx, personId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`person:${personId}`}, 0))`.execute(trx);
}

export async function personHistory(trx: Trx, f: ClosureFacts, lookbackDays: number) {
  const surveyed = f.personId
    ? await trx
        .selectFrom('survey_decisions')
        .select('decided_at')
        .where('person_id', '=', f.personId)
        .where('outcome', '=', 'survey')
        .where('decided_at', '>', sql<Date>`now() - make_interval(days => ${lookbackDays})`)
        .execute()
    : [];
  const ticketSurveyed = await trx
    .selectFrom('survey_decisions as d')
    .innerJoin('closures as c', 'c.id', 'd.closure_id')
    .select('d.id')
    .where('c.ticket_id', '=', f.ticketId)
    .where('d.outcome', '=', 'survey')
    .limit(1)
    .executeTakeFirst();
  const suppression = f.email
    ? await trx.selectFrom('suppressions').select('reason').where('email', '=', f.email).where('lifted_at', 'is', null).executeTakeFirst()
    : undefined;
  return {
    surveyedAt: surveyed.map((s) => s.decided_at),
    ticketAlreadySurveyed: ticketSurveyed !== undefined,
    suppression: suppression?.reason ?? null,
  };
}
