import { WindowBatcher } from '../lib/window-batcher.js';
import { MAX_BATCH } from './catalog.js';
import type { StageContext } from './context.js';

/**
 * The api's side of write-backs: the answers recorded within `windowMs` (per connector) go out as one
 * write-back job, delayed by the connector's debounce (two minutes by default, so the window costs
 * nothing noticeable) — one job, and shared statements, for many answers. The customer's request does
 * not wait for it: Postgres already holds each owed write-back, and an enqueue lost (Redis away, the
 * process killed within the window) is the reconciler's once the answer has settled.
 */
export function writebackEnqueuer(ctx: StageContext, windowMs = 100): { enqueue: (connectorId: string, responseId: string) => void; flush: () => Promise<void> } {
  const batcher = new WindowBatcher<string, string>(
    async (connectorId, responseIds) => {
      const debounce = (await ctx.connectors.get(connectorId))?.writeBack.debounceSeconds ?? 0;
      await ctx.queues.enqueue('writeback', responseIds.length === 1 ? { responseId: responseIds[0]! } : { responseIds }, { delay: debounce * 1000 });
    },
    windowMs,
    MAX_BATCH,
  );
  return {
    enqueue: (connectorId, responseId) =>
      void batcher.add(connectorId, responseId).catch((err: unknown) => ctx.logger.warn({ err, responseId }, 'write-back enqueue failed; the reconciler will enqueue it')),
    flush: () => batcher.flushAll(),
  };
}
