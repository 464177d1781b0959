import { sql } from 'kysely';
import { acquirePollLease, pollLeaseSeconds } from '../../store/poll-lease.js';
import { recordSnapshots } from '../../store/intake.js';
import type { StageContext } from '../context.js';

export const POLL_RUNNING = 'a poll of this connector is already running';
const LEASE_LOST = 'poll lease lost (another process took over after it expired)';

export type PollOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; pages: number; fetched: number; newClosures: number; cursor: string };

/**
 * Polls one connector from its cursor (minus the overlap window), page by page. Each page's closures
 * are committed, then decided (or their decisions enqueued); the cursor moves only after the last page, so a
 * failure part-way simply repeats the poll (duplicates collapse in Postgres).
 */
export async function pollConnector(
  ctx: StageContext,
  connectorId: string,
  /** Takes each page's new closures once committed: decides them, or enqueues their decisions. */
  onClosures: (closureIds: string[]) => Promise<void> = (ids) => ctx.queues.enqueueMany('decide', ids.map((closureId) => ({ closureId }))),
): Promise<PollOutcome> {
  const def = await ctx.connectors.get(connectorId);
  if (!def) return { status: 'skipped', reason: 'connector no longer exists' };
  if (!def.enabled) return { status: 'skipped', reason: 'connector is disabled' };

  // One poll per connector at a time across all processes (a slow poll can overlap the next tick). The
  // lease is about one poll interval long and renewed by a heartbeat while this poll runs, so a poller
  // that dies holds polling up for about one interval, not minutes.
  const initial = new Date(ctx.now().getTime() - def.intake.initialLookbackHours * 3600_000);
  const lease = await acquirePollLease(ctx.db, connectorId, initial, pollLeaseSeconds(def.intake.pollIntervalSeconds));
  if (!lease) return { status: 'skipped', reason: POLL_RUNNING };
  try {
    const since = new Date(lease.cursorAt.getTime() - def.intake.overlapSeconds * 1000);
    let highWater = lease.cursorAt;
    let pages = 0;
    let fetched = 0;
    let newClosures = 0;
    try {
      for await (const page of ctx.runtime.for(def).pollClosures(since)) {
        pages++;
        fetched += page.tickets.length;
        const ids = await recordSnapshots(ctx.db, connectorId, page.tickets, 'poll');
        newClosures += ids.length;
        await onClosures(ids);
        if (page.maxUpdatedAt && page.maxUpdatedAt > highWater) highWater = page.maxUpdatedAt;
        if (lease.lost) throw new Error(LEASE_LOST);
      }
    } catch (e) {
      await ctx.db
        .updateTable('poll_cursors')
        .set({ last_error: (e as Error).message.slice(0, 1000), consecutive_failures: sql`consecutive_failures + 1` })
        .where('connector_id', '=', connectorId)
        .execute();
      throw e;
    }
    // Fenced: a poller whose lease was taken over moves nothing (its closures are stored; the new owner reads them again).
    const moved = await ctx.db
      .updateTable('poll_cursors')
      .set({ cursor_at: highWater, last_succeeded_at: ctx.now(), last_error: null, last_fetched: fetched, last_pages: pages, consecutive_failures: 0 })
      .where('connector_id', '=', connectorId)
      .where('lease_owner', '=', lease.owner)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new Error(LEASE_LOST);
    ctx.logger.debug({ connectorId, pages, fetched, newClosures }, 'poll done');
    return { status: 'done', pages, fetched, newClosures, cursor: highWater.toISOString() };
  } finally {
    await lease.release();
  }
}
