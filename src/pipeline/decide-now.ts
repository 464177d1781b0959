import type { StageContext } from './context.js';
import type { DecideBatcher } from './decide-batcher.js';
import { MAX_BATCH } from './catalog.js';

/** A survey chosen, and when its send window opens. */
export interface SurveyToSend {
  surveyId: string;
  sendAt: Date;
}

/**
 * Decides closures just stored, in the job that stored them (a poll page, a push re-read), instead of
 * one decide job each: they join the decisions this process is making anyway (DecideBatcher: shared
 * transactions, the same row and per-person advisory locks as a decide job). Returns the surveys chosen,
 * for the caller to enqueue (see enqueueSends). A closure that cannot be decided now (Postgres refused
 * the batch and the closure alone) gets a decide job, retried with backoff; a crash before either leaves
 * it pending, and the reconciler enqueues its decision.
 */
export async function decideNow(ctx: StageContext, decisions: DecideBatcher, closureIds: string[]): Promise<SurveyToSend[]> {
  if (closureIds.length === 0) return [];
  const outcomes = await Promise.allSettled(closureIds.map((id) => decisions.decide(id)));
  const undecided: string[] = [];
  const sends: SurveyToSend[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') undecided.push(closureIds[i]!);
    else if (o.value.status === 'decided' && o.value.surveyId && o.value.decision.outcome === 'survey') sends.push({ surveyId: o.value.surveyId, sendAt: o.value.decision.sendAt });
  });
  if (undecided.length > 0) {
    ctx.logger.warn({ closures: undecided.length, err: (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason }, 'deciding at intake failed; decide jobs will retry');
    await ctx.queues.enqueueMany('decide', undecided.map((closureId) => ({ closureId })));
  }
  return sends;
}

/**
 * Enqueues the sends of surveys decided together: those due now as send jobs of up to a second's worth
 * of MAIL_MAX_PER_SECOND (at most MAX_BATCH surveys), so that no send job runs for long; those waiting
 * for a send window as a delayed job each.
 */
export async function enqueueSends(ctx: StageContext, sends: SurveyToSend[]): Promise<void> {
  const now = ctx.now().getTime();
  const due = sends.filter((s) => s.sendAt.getTime() <= now).map((s) => s.surveyId);
  const later = sends.filter((s) => s.sendAt.getTime() > now);
  const jobs: Array<Promise<unknown>> = [];
  const size = Math.max(1, Math.min(MAX_BATCH, ctx.mail.pace.perSecond));
  for (let i = 0; i < due.length; i += size) {
    const chunk = due.slice(i, i + size);
    jobs.push(chunk.length === 1 ? ctx.loaders.enqueue.enqueue('send', { surveyId: chunk[0]! }) : ctx.queues.enqueue('send', { surveyIds: chunk }));
  }
  if (later.length > 0) jobs.push(ctx.queues.enqueueMany('send', later.map((s) => ({ surveyId: s.surveyId })), later.map((s) => s.sendAt.getTime() - now)));
  await Promise.all(jobs);
}
