import { sql } from 'kysely';
import { recordSnapshots } from '../../store/intake.js';
import type { StageContext } from '../context.js';

export type PollOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; pages: number; fetched: number; newClosures: number; cursor: string };

/**
 * Polls one connector from its cursor (minus the overlap window), page by page. Each page's closures
 * are committed, then their decisions enqueued; the cursor moves only after the last page, so a
 * failure part-way simply repeats the poll (duplicates collapse in Postgres).
 */
export async function pollConnector(ctx: StageContext, connectorId: string): Promise<PollOutcome> {
  const def = await ctx.connectors.get(connectorId);
  if (!def) return { status: 'skipped', reason: 'connector no longer exists' };
  if (!def.enabled) return { status: 'skipped', reason: 'connector is disabled' };

  // One poll per connector at a time across all processes (a slow poll can overlap the next tick).
  return ctx.db.connection().execute(async (conn) => {
    const lockKey = sql`hashtextextended(${`poll:${connectorId}`}, 0)`;
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${lockKey}) AS locked`.execute(conn);
    if (!rows[0]?.locked) return { status: 'skipped', reason: 'a poll of this connector is already running' } as const;
    try {
      const now = ctx.now();
      const existing = await conn.selectFrom('poll_cursors').select('cursor_at').where('connector_id', '=', connectorId).executeTakeFirst();
      const cursor = existing?.cursor_at ?? new Date(now.getTime() - def.intake.initialLookbackHours * 3600_000);
      await conn
        .insertInto('poll_cursors')
        .values({ connector_id: connectorId, cursor_at: cursor, last_started_at: now })
        .onConflict((oc) => oc.column('connector_id').doUpdateSet({ last_started_at: now }))
        .execute();

      const since = new Date(cursor.getTime() - def.intake.overlapSeconds * 1000);
      let highWater = cursor;
      let pages = 0;
      let fetched = 0;
      let newClosures = 0;
      try {
        for await (const page of ctx.runtime.for(def).pollClosures(since)) {
          pages++;
          fetched += page.tickets.length;
          const ids = await recordSnapshots(conn, connectorId, page.tickets, 'poll');
          newClosures += ids.length;
          await ctx.queues.enqueueMany('decide', ids.map((closureId) => ({ closureId })));
          if (page.maxUpdatedAt && page.maxUpdatedAt > highWater) highWater = page.maxUpdatedAt;
        }
      } catch (e) {
        await conn
          .updateTable('poll_cursors')
          .set({ last_error: (e as Error).message.slice(0, 1000), consecutive_failures: sql`consecutive_failures + 1` })
          .where('connector_id', '=', connectorId)
          .execute();
        throw e;
      }
      await conn
        .updateTable('poll_cursors')
        .set({ cursor_at: highWater, last_succeeded_at: ctx.now(), last_error: null, last_fetched: fetched, last_pages: pages, consecutive_failures: 0 })
        .where('connector_id', '=', connectorId)
        .execute();
      ctx.logger.debug({ connectorId, pages, fetched, newClosures }, 'poll done');
      return { status: 'done', pages, fetched, newClosures, cursor: highWater.toISOString() } as const;
    } finally {
      await sql`SELECT pg_advisory_unlock(${lockKey})`.execute(conn);
    }
  });
}
