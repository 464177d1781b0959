import type { StageContext } from './context.js';
import type { DecideBatcher } from './decide-batcher.js';

/**
 * Decides closures just stored, in the job that stored them (a poll page, a push re-read), instead of
 * one decide job each: they join the decisions this process is making anyway (DecideBatcher: shared
 * transactions, the same row and per-person advisory locks as a decide job), and the surveys chosen are
 * enqueued in bulk. A closure that cannot be decided now (Postgres refused the batch and the closure
 * alone) gets a decide job, retried with backoff; a crash before either leaves it pending, and the
 * reconciler enqueues its decision.
 */
export async function decideNow(ctx: StageContext, decisions: DecideBatcher, closureIds: string[]): Promise<void> {
  if (closureIds.length === 0) return;
  const outcomes = await Promise.allSettled(closureIds.map((id) => decisions.decide(id)));
  const undecided: string[] = [];
  const sends: Array<Promise<void>> = [];
  const now = ctx.now().getTime();
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') undecided.push(closureIds[i]!);
    else if (o.value.status === 'decided' && o.value.surveyId && o.value.decision.outcome === 'survey') {
      sends.push(ctx.loaders.enqueue.enqueue('send', { surveyId: o.value.surveyId }, o.value.decision.sendAt.getTime() - now));
    }
  });
  if (undecided.length > 0) {
    ctx.logger.warn({ closures: undecided.length, err: (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason }, 'deciding at intake failed; decide jobs will retry');
    sends.push(ctx.queues.enqueueMany('decide', undecided.map((closureId) => ({ closureId }))));
  }
  await Promise.all(sends);
}
