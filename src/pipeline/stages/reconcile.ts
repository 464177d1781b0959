import { sql } from 'kysely';
import type { StageContext } from '../context.js';

const BATCH = 5000;

/**
 * The safety net of "Postgres first, then enqueue": work committed but never enqueued (a crash in
 * between) or whose job vanished (Redis lost its data) is enqueued again. Deterministic job ids make
 * this harmless for work that is still queued.
 */
export async function reconcile(ctx: StageContext): Promise<{ closures: number; events: number }> {
  const olderThan = sql<Date>`now() - make_interval(secs => ${ctx.reconcileGraceSeconds})`;
  const closures = await ctx.db
    .selectFrom('closures')
    .select('id')
    .where('status', '=', 'pending')
    .where('received_at', '<=', olderThan)
    .orderBy('received_at')
    .limit(BATCH)
    .execute();
  await ctx.queues.enqueueMany('decide', closures.map((c) => ({ closureId: c.id })));

  const events = await ctx.db
    .selectFrom('inbound_events')
    .select('id')
    .where('processed_at', 'is', null)
    .where('received_at', '<=', olderThan)
    .orderBy('received_at')
    .limit(BATCH)
    .execute();
  await ctx.queues.enqueueMany('fetch', events.map((e) => ({ eventId: e.id })));

  if (closures.length + events.length > 0) ctx.logger.info({ closures: closures.length, events: events.length }, 'reconciler re-enqueued pending work');
  return { closures: closures.length, events: events.length };
}
