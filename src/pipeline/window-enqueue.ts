import { WindowBatcher } from '../lib/window-batcher.js';
import { MAX_BATCH } from './catalog.js';
import type { StageContext } from './context.js';

/**
 * The api's side of stages fed one request at a time (push notifications, answers): the items that
 * arrive within `windowMs` (per group key) go out as one batch job — one job, and shared statements, for
 * many items. The request does not wait for it: Postgres already holds each item's owed work, and an
 * enqueue lost (Redis away, the process killed within the window) is the reconciler's.
 */
export function windowEnqueuer(
  ctx: StageContext,
  opts: { windowMs: number; what: string; enqueue: (key: string, ids: string[]) => Promise<unknown> },
): { add: (key: string, id: string) => void; flush: () => Promise<void> } {
  const batcher = new WindowBatcher<string, string>(async (key, ids) => void (await opts.enqueue(key, ids)), opts.windowMs, MAX_BATCH);
  return {
    add: (key, id) => void batcher.add(key, id).catch((err: unknown) => ctx.logger.warn({ err, id }, `${opts.what} enqueue failed; the reconciler will enqueue it`)),
    flush: () => batcher.flushAll(),
  };
}

/** Answers of 100 ms per connector → one write-back job, delayed by the connector's debounce (two minutes by default). */
export function writebackEnqueuer(ctx: StageContext, windowMs = 100) {
  return windowEnqueuer(ctx, {
    windowMs,
    what: 'write-back',
    enqueue: async (connectorId, responseIds) => {
      const debounce = (await ctx.connectors.get(connectorId))?.writeBack.debounceSeconds ?? 0;
      return ctx.queues.enqueue('writeback', responseIds.length === 1 ? { responseId: responseIds[0]! } : { responseIds }, { delay: debounce * 1000 });
    },
  });
}

/** Push notifications of a few ms → one fetch job (their re-reads, closures and decisions share statements). */
export function fetchEnqueuer(ctx: StageContext, windowMs = 10) {
  return windowEnqueuer(ctx, {
    windowMs,
    what: 'fetch',
    enqueue: (_connectorId, eventIds) => ctx.queues.enqueue('fetch', eventIds.length === 1 ? { eventId: eventIds[0]! } : { eventIds }),
  });
}
