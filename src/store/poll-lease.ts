import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/** Lease length: longer than any page takes; renewed after every page. A killed poller delays the next poll by at most this. */
const LEASE_SECONDS = 120;

export interface PollLease {
  owner: string;
  cursorAt: Date;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Takes the connector's poll lease if nobody holds a live one, creating its cursor row on first use.
 * Returns null when another process is polling this connector right now.
 */
export async function acquirePollLease(db: Db, connectorId: string, initialCursor: Date): Promise<PollLease | null> {
  const owner = randomUUID();
  const until = sql<Date>`now() + make_interval(secs => ${LEASE_SECONDS})`;
  const row = await db
    .insertInto('poll_cursors')
    .values({ connector_id: connectorId, cursor_at: initialCursor, lease_owner: owner, lease_until: until, last_started_at: sql`now()` })
    .onConflict((oc) =>
      oc
        .column('connector_id')
        .doUpdateSet({ lease_owner: owner, lease_until: until, last_started_at: sql`now()` })
        .where(sql<boolean>`poll_cursors.lease_until IS NULL OR poll_cursors.lease_until < now()`),
    )
    .returning('cursor_at')
    .executeTakeFirst();
  if (!row) return null;
  return {
    owner,
    cursorAt: row.cursor_at,
    async renew() {
      const r = await db.updateTable('poll_cursors').set({ lease_until: until }).where('connector_id', '=', connectorId).where('lease_owner', '=', owner).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async release() {
      await db.updateTable('poll_cursors').set({ lease_owner: null, lease_until: null }).where('connector_id', '=', connectorId).where('lease_owner', '=', owner).execute();
    },
  };
}
