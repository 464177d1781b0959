import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { TicketSnapshot } from '../connectors/types.js';
import { emailDomain, normaliseEmail } from '../rules/email.js';

type Source = 'poll' | 'webhook' | 'manual';

// The ticket columns a snapshot sets: each is passed as one array (of its Postgres type) to unnest.
const TICKET_FIELDS: ReadonlyArray<readonly [column: string, type: 'text' | 'timestamptz', value: (t: TicketSnapshot) => unknown]> = [
  ['external_key', 'text', (t) => t.key],
  ['title', 'text', (t) => t.title],
  ['category', 'text', (t) => t.category],
  ['subcategory', 'text', (t) => t.subcategory],
  ['priority', 'text', (t) => t.priority],
  ['state', 'text', (t) => t.state],
  ['assignment_group_id', 'text', (t) => t.assignmentGroupId],
  ['assignment_group_name', 'text', (t) => t.assignmentGroupName],
  ['assignee_id', 'text', (t) => t.assigneeId],
  ['assignee_name', 'text', (t) => t.assigneeName],
  ['requester_external_id', 'text', (t) => t.requester.externalId],
  ['opened_at', 'timestamptz', (t) => t.openedAt],
  ['source_updated_at', 'timestamptz', (t) => t.updatedAt],
];
const TICKET_COLUMNS = TICKET_FIELDS.map(([c]) => c);
/** Results recorded on a push notification whose ticket was closed. */
export const CLOSURE_RECORDED = 'closure recorded';
export const CLOSURE_KNOWN = 'closure already known';
// An older snapshot arriving late (a slow webhook re-read) must not overwrite a newer one. The row is
// still "updated" (to itself), so that the statement returns its id without a second lookup.
const FRESH = 'tickets.source_updated_at IS NULL OR excluded.source_updated_at >= tickets.source_updated_at';
const TICKET_UPDATES = [...TICKET_COLUMNS, 'requester_person_id']
  .map((c) => `${c} = CASE WHEN ${FRESH} THEN excluded.${c} ELSE tickets.${c} END`)
  .concat(`updated_at = CASE WHEN ${FRESH} THEN now() ELSE tickets.updated_at END`)
  .join(', ');

/**
 * Stores a batch of ticket snapshots in one statement (one round trip, atomic): people (by normalised
 * email), tickets (latest version wins), and a closure for each closed ticket. A closure already stored —
 * the same ticket and closed-at seen again by an overlapping poll, a webhook retry, or poll and push
 * both — is not stored twice. Returns the ids of the closures this call created (the caller enqueues
 * their decisions). `processedEventId` marks the push notification that named these tickets as
 * processed in the same statement (its result says whether a closure was new).
 */
export async function recordSnapshots(db: Db, connectorId: string, snapshots: TicketSnapshot[], source: Source, processedEventId: string | null = null): Promise<string[]> {
  if (snapshots.length === 0) return [];
  // Keep the newest snapshot per ticket, and one row per person: one statement cannot upsert a row twice.
  const byTicket = new Map<string, TicketSnapshot>();
  for (const s of snapshots) {
    const prev = byTicket.get(s.externalId);
    if (!prev || s.updatedAt >= prev.updatedAt) byTicket.set(s.externalId, s);
  }
  const tickets = [...byTicket.values()];
  const people = new Map<string, TicketSnapshot['requester']>();
  for (const t of tickets) {
    const email = normaliseEmail(t.requester.email);
    if (email) people.set(email, t.requester);
  }
  const closed = tickets.filter((t) => t.isClosed && t.closedAt);
  const ticketArrays = sql.join(TICKET_FIELDS.map(([, type, value]) => sql`${tickets.map(value)}::${sql.raw(type)}[]`));
  const personRows = [...people];

  const rows = await sql<{ id: string }>`
    WITH p AS (
      INSERT INTO people (email, email_domain, display_name, locale, time_zone)
      SELECT * FROM unnest(${personRows.map(([e]) => e)}::text[], ${personRows.map(([e]) => emailDomain(e))}::text[],
        ${personRows.map(([, r]) => r.name)}::text[], ${personRows.map(([, r]) => r.locale)}::text[], ${personRows.map(([, r]) => r.timeZone)}::text[])
      ON CONFLICT (email) DO UPDATE SET
        display_name = coalesce(excluded.display_name, people.display_name),
        locale = coalesce(excluded.locale, people.locale),
        time_zone = coalesce(excluded.time_zone, people.time_zone),
        updated_at = now()
      RETURNING id, email
    ), v AS (
      SELECT * FROM unnest(${tickets.map((t) => t.externalId)}::text[], ${tickets.map((t) => normaliseEmail(t.requester.email))}::text[], ${ticketArrays})
        AS v(external_id, requester_email, ${sql.raw(TICKET_COLUMNS.join(', '))})
    ), t AS (
      INSERT INTO tickets (connector_id, external_id, ${sql.raw(TICKET_COLUMNS.join(', '))}, requester_person_id)
      SELECT ${connectorId}, v.external_id, ${sql.raw(TICKET_COLUMNS.map((c) => `v.${c}`).join(', '))}, p.id
      FROM v LEFT JOIN p ON p.email = v.requester_email
      ON CONFLICT (connector_id, external_id) DO UPDATE SET ${sql.raw(TICKET_UPDATES)}
      RETURNING id, external_id
    ), created AS (
      INSERT INTO closures (ticket_id, closed_at, close_code, resolver_external_id, resolver_name, source)
      SELECT t.id, c.closed_at, c.close_code, c.resolver_external_id, c.resolver_name, ${source}
      FROM unnest(${closed.map((t) => t.externalId)}::text[], ${closed.map((t) => t.closedAt)}::timestamptz[], ${closed.map((t) => t.closeCode)}::text[],
        ${closed.map((t) => t.resolverId)}::text[], ${closed.map((t) => t.resolverName)}::text[]) AS c(external_id, closed_at, close_code, resolver_external_id, resolver_name)
      JOIN t ON t.external_id = c.external_id
      ON CONFLICT (ticket_id, closed_at) DO NOTHING
      RETURNING id
    ), event AS (
      UPDATE inbound_events SET processed_at = now(),
        result = CASE WHEN EXISTS (SELECT 1 FROM created) THEN ${CLOSURE_RECORDED} ELSE ${CLOSURE_KNOWN} END
      WHERE id = ${processedEventId}::bigint
    )
    SELECT id::text AS id FROM created`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * Records an authenticated push notification; null when the same notification was already received —
 * the same dedupe key, or (signed deliveries) the same signed content.
 */
export async function recordInboundEvent(db: Db, connectorId: string, notice: { externalId: string; dedupeKey: string; contentHash?: string }): Promise<string | null> {
  const row = await db
    .insertInto('inbound_events')
    .values({ connector_id: connectorId, dedupe_key: notice.dedupeKey.slice(0, 500), external_id: notice.externalId, content_hash: notice.contentHash ?? null })
    // Either unique key (dedupe key, content hash) makes it a duplicate.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function markInboundEventProcessed(db: Db, eventId: string, result: string): Promise<void> {
  await db.updateTable('inbound_events').set({ processed_at: sql`now()`, result }).where('id', '=', eventId).execute();
}
