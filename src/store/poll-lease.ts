import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/**
 * The shortest lease: it is renewed every third of its length, so a renewal may be late by two thirds
 * (a slow Postgres, a busy event loop, a garbage-collection pause) before a live poller loses it.
 */
export const MIN_LEASE_SECONDS = 15;
/** Even a connector polled once a day must not stay blocked longer than this after its poller died. */
export const MAX_LEASE_SECONDS = 120;

/**
 * About one poll interval, within [MIN_LEASE_SECONDS, MAX_LEASE_SECONDS]: a poller that dies mid-poll
 * (killed, crashed, cut off from Postgres) delays the next poll by at most that long.
 */
export function pollLeaseSeconds(pollIntervalSeconds: number): number {
  return Math.min(MAX_LEASE_SECONDS, Math.max(MIN_LEASE_SECONDS, Math.ceil(pollIntervalSeconds)));
}

export interface PollLease {
  owner: string;
  cursorAt: Date;
  /** True once another poller has taken the lease over (or it could not be renewed before it ran out). */
  readonly lost: boolean;
  renew(): Promise<boolean>;
  /** Stops the heartbeat and gives the lease back. */
  release(): Promise<void>;
}

/**
 * Takes the connector's poll lease if nobody holds a live one, creating its cursor row on first use, and
 * keeps it alive with a heartbeat (every third of `leaseSeconds`) while the poll runs. Returns null when
 * another process is polling this connector right now. Writes of the cursor must check `lease_owner`
 * (poll.ts does): a poller that lost its lease then writes nothing.
 */
export async function acquirePollLease(db: Db, connectorId: string, initialCursor: Date, leaseSeconds: number = MIN_LEASE_SECONDS): Promise<PollLease | null> {
  const owner = randomUUID();
  const until = sql<Date>`now() + make_interval(secs => ${leaseSeconds})`;
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

  let lost = false;
  let renewedAt = Date.now();
  const renew = async (): Promise<boolean> => {
    if (lost) return false;
    const r = await db.updateTable('poll_cursors').set({ lease_until: until }).where('connector_id', '=', connectorId).where('lease_owner', '=', owner).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) renewedAt = Date.now();
    else lost = true;
    return !lost;
  };
  const heartbeat = setInterval(() => {
    renew().catch(() => {
      // Postgres unreachable: once the lease may have run out, another poller may hold it.
      if (Date.now() - renewedAt >= leaseSeconds * 1000) lost = true;
    });
  }, Math.max(1, Math.floor((leaseSeconds * 1000) / 3)));
  heartbeat.unref();

  return {
    owner,
    cursorAt: row.cursor_at,
    get lost() {
      return lost;
    },
    renew,
    async release() {
      clearInterval(heartbeat);
      await db.updateTable('poll_cursors').set({ lease_owner: null, lease_until: null }).where('connector_id', '=', connectorId).where('lease_owner', '=', owner).execute();
    },
  };
}
