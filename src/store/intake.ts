import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { TicketSnapshot } from '../connectors/types.js';
import { emailDomain, normaliseEmail } from '../rules/email.js';

type Source = 'poll' | 'webhook' | 'manual';

/**
 * Stores a batch of ticket snapshots in one transaction: people (by normalised email), tickets (latest
 * version wins), and a closure for each closed ticket. A closure already stored — the same ticket and
 * closed-at seen again by an overlapping poll, a webhook retry, or poll and push both — is not stored
 * twice. Returns the ids of the closures this call created (the caller enqueues their decisions).
 */
export async function recordSnapshots(db: Db, connectorId: string, snapshots: TicketSnapshot[], source: Source): Promise<string[]> {
  if (snapshots.length === 0) return [];
  // Keep the newest snapshot per ticket: one statement cannot upsert the same row twice.
  const byTicket = new Map<string, TicketSnapshot>();
  for (const s of snapshots) {
    const prev = byTicket.get(s.externalId);
    if (!prev || s.updatedAt >= prev.updatedAt) byTicket.set(s.externalId, s);
  }
  const tickets = [...byTicket.values()];

  return db.transaction().execute(async (trx) => {
    const people = new Map<string, { name: string | null; locale: string | null; timeZone: string | null }>();
    for (const t of tickets) {
      const email = normaliseEmail(t.requester.email);
      if (email) people.set(email, { name: t.requester.name, locale: t.requester.locale, timeZone: t.requester.timeZone });
    }
    const personIds = new Map<string, string>();
    if (people.size > 0) {
      const rows = await trx
        .insertInto('people')
        .values([...people].map(([email, p]) => ({ email, email_domain: emailDomain(email), display_name: p.name, locale: p.locale, time_zone: p.timeZone })))
        .onConflict((oc) =>
          oc.column('email').doUpdateSet({
            display_name: sql`coalesce(excluded.display_name, people.display_name)`,
            locale: sql`coalesce(excluded.locale, people.locale)`,
            time_zone: sql`coalesce(excluded.time_zone, people.time_zone)`,
            updated_at: sql`now()`,
          }),
        )
        .returning(['id', 'email'])
        .execute();
      for (const r of rows) personIds.set(r.email, r.id);
    }

    const ticketRows = await trx
      .insertInto('tickets')
      .values(
        tickets.map((t) => ({
          connector_id: connectorId,
          external_id: t.externalId,
          external_key: t.key,
          title: t.title,
          category: t.category,
          subcategory: t.subcategory,
          priority: t.priority,
          state: t.state,
          assignment_group_id: t.assignmentGroupId,
          assignment_group_name: t.assignmentGroupName,
          assignee_id: t.assigneeId,
          assignee_name: t.assigneeName,
          requester_external_id: t.requester.externalId,
          requester_person_id: personIds.get(normaliseEmail(t.requester.email) ?? '') ?? null,
          opened_at: t.openedAt,
          source_updated_at: t.updatedAt,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['connector_id', 'external_id'])
          .doUpdateSet((eb) => ({
            external_key: eb.ref('excluded.external_key'),
            title: eb.ref('excluded.title'),
            category: eb.ref('excluded.category'),
            subcategory: eb.ref('excluded.subcategory'),
            priority: eb.ref('excluded.priority'),
            state: eb.ref('excluded.state'),
            assignment_group_id: eb.ref('excluded.assignment_group_id'),
            assignment_group_name: eb.ref('excluded.assignment_group_name'),
            assignee_id: eb.ref('excluded.assignee_id'),
            assignee_name: eb.ref('excluded.assignee_name'),
            requester_external_id: eb.ref('excluded.requester_external_id'),
            requester_person_id: eb.ref('excluded.requester_person_id'),
            opened_at: eb.ref('excluded.opened_at'),
            source_updated_at: eb.ref('excluded.source_updated_at'),
            updated_at: sql`now()`,
          }))
          // An older snapshot arriving late (a slow webhook re-read) must not overwrite a newer one.
          .where(sql<boolean>`tickets.source_updated_at IS NULL OR excluded.source_updated_at >= tickets.source_updated_at`),
      )
      .returning(['id', 'external_id'])
      .execute();
    const ticketIds = new Map(ticketRows.map((r) => [r.external_id, r.id]));
    // Rows skipped by the WHERE above are not returned; look their ids up.
    const missing = tickets.filter((t) => !ticketIds.has(t.externalId)).map((t) => t.externalId);
    if (missing.length > 0) {
      const rows = await trx.selectFrom('tickets').select(['id', 'external_id']).where('connector_id', '=', connectorId).where('external_id', 'in', missing).execute();
      for (const r of rows) ticketIds.set(r.external_id, r.id);
    }

    const closed = tickets.filter((t) => t.isClosed && t.closedAt);
    if (closed.length === 0) return [];
    const created = await trx
      .insertInto('closures')
      .values(
        closed.map((t) => ({
          ticket_id: ticketIds.get(t.externalId)!,
          closed_at: t.closedAt!,
          close_code: t.closeCode,
          resolver_external_id: t.resolverId,
          resolver_name: t.resolverName,
          source,
        })),
      )
      .onConflict((oc) => oc.columns(['ticket_id', 'closed_at']).doNothing())
      .returning('id')
      .execute();
    return created.map((r) => r.id);
  });
}

/** Records an authenticated push notification; null when the same notification was already received. */
export async function recordInboundEvent(db: Db, connectorId: string, notice: { externalId: string; dedupeKey: string }): Promise<string | null> {
  const row = await db
    .insertInto('inbound_events')
    .values({ connector_id: connectorId, dedupe_key: notice.dedupeKey.slice(0, 500), external_id: notice.externalId })
    .onConflict((oc) => oc.columns(['connector_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function markInboundEventProcessed(db: Db, eventId: string, result: string): Promise<void> {
  await db.updateTable('inbound_events').set({ processed_at: sql`now()`, result }).where('id', '=', eventId).execute();
}
