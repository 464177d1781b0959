import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
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
  const events = processedEventId === null ? [] : snapshots.map((t) => ({ id: processedEventId, externalId: t.externalId }));
  return (await storeSnapshots(db, connectorId, snapshots, source, events)).map((c) => c.closureId);
}

export interface PushedSnapshot {
  connectorId: string;
  /** The push notification (inbound_events row) whose re-read this is. */
  eventId: string;
  ticket: TicketSnapshot;
}

/**
 * The re-reads of several push notifications, stored as recordSnapshots does, in one statement per
 * connector; each notification is marked processed in the same statement. Returns, per item in order,
 * the ids of the closures created for its ticket.
 */
export async function recordPushedSnapshots(db: Db, items: PushedSnapshot[]): Promise<string[][]> {
  const byConnector = new Map<string, PushedSnapshot[]>();
  for (const i of items) {
    const list = byConnector.get(i.connectorId);
    if (list) list.push(i);
    else byConnector.set(i.connectorId, [i]);
  }
  const created = new Map<string, string[]>();
  for (const [connectorId, group] of byConnector) {
    const rows = await storeSnapshots(db, connectorId, group.map((i) => i.ticket), 'webhook', group.map((i) => ({ id: i.eventId, externalId: i.ticket.externalId })));
    for (const r of rows) {
      const key = `${connectorId}\n${r.externalId}`;
      created.set(key, [...(created.get(key) ?? []), r.closureId]);
    }
  }
  return items.map((i) => created.get(`${i.connectorId}\n${i.ticket.externalId}`) ?? []);
}

async function storeSnapshots(db: Db, connectorId: string, snapshots: TicketSnapshot[], source: Source, events: Array<{ id: string; externalId: string }>): Promise<Array<{ closureId: string; externalId: string }>> {
  if (snapshots.length === 0) return [];
  // Keep the newest snapshot per ticket, and one row per person: one statement cannot upsert a row twice.
  const byTicket = new Map<string, TicketSnapshot>();
  for (const s of snapshots) {
    const prev = byTicket.get(s.externalId);
    if (!prev || s.updatedAt >= prev.updatedAt) byTicket.set(s.externalId, s);
  }
  // Rows are written in one order (people by email, tickets by id), so that two statements writing some of the
  // same rows wait for each other instead of deadlocking.
  const tickets = [...byTicket.values()].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  const people = new Map<string, TicketSnapshot['requester']>();
  for (const t of tickets) {
    const email = normaliseEmail(t.requester.email);
    if (email) people.set(email, t.requester);
  }
  const closed = tickets.filter((t) => t.isClosed && t.closedAt);
  const ticketArrays = sql.join(TICKET_FIELDS.map(([, type, value]) => sql`${tickets.map(value)}::${sql.raw(type)}[]`));
  const personRows = [...people].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const rows = await sql<{ id: string; external_id: string }>`
    WITH p AS (
      INSERT INTO people (email, email_domain, display_name, locale, time_zone)
      SELECT * FROM unnest(${personRows.map(([e]) => e)}::text[], ${personRows.map(([e]) => emailDomain(e))}::text[],
        ${personRows.map(([, r]) => r.name)}::text[], ${personRows.map(([, r]) => r.locale)}::text[], ${personRows.map(([, r]) => r.timeZone)}::text[]) ORDER BY 1
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
      ORDER BY v.external_id
      ON CONFLICT (connector_id, external_id) DO UPDATE SET ${sql.raw(TICKET_UPDATES)}
      RETURNING id, external_id
    ), created AS (
      INSERT INTO closures (ticket_id, closed_at, close_code, resolver_external_id, resolver_name, source)
      SELECT t.id, c.closed_at, c.close_code, c.resolver_external_id, c.resolver_name, ${source}
      FROM unnest(${closed.map((t) => t.externalId)}::text[], ${closed.map((t) => t.closedAt)}::timestamptz[], ${closed.map((t) => t.closeCode)}::text[],
        ${closed.map((t) => t.resolverId)}::text[], ${closed.map((t) => t.resolverName)}::text[]) AS c(external_id, closed_at, close_code, resolver_external_id, resolver_name)
      JOIN t ON t.external_id = c.external_id
      ORDER BY t.id
      ON CONFLICT (ticket_id, closed_at) DO NOTHING
      RETURNING id, ticket_id
    ), new_closures AS (
      SELECT created.id, t.external_id FROM created JOIN t ON t.id = created.ticket_id
    ), event AS (
      UPDATE inbound_events SET processed_at = now(),
        result = CASE WHEN EXISTS (SELECT 1 FROM new_closures n WHERE n.external_id = e.external_id) THEN ${CLOSURE_RECORDED} ELSE ${CLOSURE_KNOWN} END
      FROM unnest(${events.map((e) => e.id)}::bigint[], ${events.map((e) => e.externalId)}::text[]) AS e(id, external_id)
      WHERE inbound_events.id = e.id
    )
    SELECT id::text AS id, external_id FROM new_closures`.execute(db);
  return rows.rows.map((r) => ({ closureId: r.id, externalId: r.external_id }));
}

/**
 * Records an authenticated push notification; null when the same notification was already received —
 * the same dedupe key, or (signed deliveries) the same signed content.
 */
export async function recordInboundEvent(db: Db, connectorId: string, notice: { externalId: string; dedupeKey: string; contentHash?: string }): Promise<string | null> {
  const query = db
    .insertInto('inbound_events')
    .values({ connector_id: connectorId, dedupe_key: notice.dedupeKey.slice(0, 500), external_id: notice.externalId, content_hash: notice.contentHash ?? null })
    // Either unique key (dedupe key, content hash) makes it a duplicate.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .compile();
  return (await db.executeQuery(prepared(query))).rows[0]?.id ?? null;
}

export async function markInboundEventProcessed(db: Db, eventId: string, result: string): Promise<void> {
  await db.updateTable('inbound_events').set({ processed_at: sql`now()`, result }).where('id', '=', eventId).execute();
}

export interface InboundEventRow {
  id: string;
  connector_id: string;
  external_id: string;
  processed_at: Date | null;
  result: string | null;
}

/** Push notifications by id (one query for any number; missing ids are absent). */
export async function loadInboundEvents(db: Db, ids: string[]): Promise<Map<string, InboundEventRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('inbound_events').select(['id', 'connector_id', 'external_id', 'processed_at', 'result']).where('id', '=', sql<string>`any(${ids}::bigint[])`).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
