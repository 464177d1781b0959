import type { StageContext } from '../pipeline/context.js';
import { markLostDigests, pendingDigests } from './store.js';

/**
 * The reconciler's part for digests: pending rows whose job was lost are enqueued again (same job
 * ids), and claims older than SEND_CLAIM_TIMEOUT_SECONDS without an outcome become unknown — never re-sent.
 */
export async function reconcileDigests(ctx: StageContext): Promise<{ enqueued: number; unknown: number }> {
  const pending = await pendingDigests(ctx.db, Math.max(ctx.reconcileGraceSeconds, 1));
  await ctx.queues.enqueueMany('digest', pending.map((digestId) => ({ digestId })));
  const lost = await markLostDigests(ctx.db, ctx.mail.claimTimeoutSeconds);
  if (lost.length) ctx.logger.error({ digestIds: lost }, 'team digest sends with unknown outcome; not re-sent');
  return { enqueued: pending.length, unknown: lost.length };
}
