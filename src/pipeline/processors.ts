import type { StageContext } from './context.js';
import { MAX_BATCH } from './catalog.js';
import { enqueueSend } from './stages/decide.js';
import { DecideBatcher } from './decide-batcher.js';
import { decideNow, enqueueSends, type SurveyToSend } from './decide-now.js';
import { sendReminder } from './stages/remind.js';
import { sendSurvey } from './stages/send.js';
import { writeBack, type FollowUpJob } from './stages/write-back.js';
import { runFollowUp } from './stages/follow-up.js';
import { checkFollowUpSla } from './stages/sla.js';
import { fetchNotifiedTicket } from './stages/fetch.js';
import { POLL_RUNNING, pollConnector } from './stages/poll.js';
import { RetryLaterError } from '../lib/retry.js';
import { reconcile } from './stages/reconcile.js';
import type { Processors } from './workers.js';
import { Semaphore } from '../lib/semaphore.js';
import { runBatchItems } from './batch-items.js';

/** One processor per stage; each returns a small summary that BullMQ keeps as the job's result. */
export function stageProcessors(ctx: StageContext, itemsAtOnce = 20, stopping: () => boolean = () => false): Processors {
  // Shared by decide jobs and by the poll and fetch jobs, which decide the closures they store at once.
  const decisions = new DecideBatcher(ctx);
  // The items of batch jobs of a stage run at most this many at once in this process (like that many jobs).
  const writebackSlots = new Semaphore(itemsAtOnce);
  const followUpSlots = new Semaphore(itemsAtOnce);
  const fetchSlots = new Semaphore(itemsAtOnce);
  const sendSlots = new Semaphore(itemsAtOnce);
  return {
    poll: async (p, job) => {
      const r = await pollConnector(ctx, p.connectorId, async (ids) => enqueueSends(ctx, await decideNow(ctx, decisions, ids)));
      // A scheduled poll that finds another running is simply redundant; a requested one ("poll now")
      // must not be lost: it runs once the current poll has finished.
      if (r.status === 'skipped' && r.reason === POLL_RUNNING && !job.repeatJobKey) throw new RetryLaterError(Date.now() + 2000, r.reason);
      return r;
    },
    fetch: async (p) => {
      if ('eventId' in p) return fetchNotifiedTicket(ctx, p.eventId, async (ids) => enqueueSends(ctx, await decideNow(ctx, decisions, ids)));
      // The batch's surveys go out as one send job, once its notifications are done (a crash before
      // leaves them scheduled in Postgres, for the reconciler).
      const sends: SurveyToSend[] = [];
      const fetch = (eventId: string) => fetchNotifiedTicket(ctx, eventId, async (ids) => void sends.push(...(await decideNow(ctx, decisions, ids))));
      const r = await runBatchItems(ctx, 'fetch', p.eventIds, fetchSlots, fetch, (id, delay) => ctx.loaders.enqueue.enqueue('fetch', { eventId: id }, delay), stopping);
      await enqueueSends(ctx, sends);
      return r;
    },
    decide: async (p) => {
      const r = await decisions.decide(p.closureId);
      if (r.status !== 'decided') return r;
      if (r.surveyId && r.decision.outcome === 'survey') await enqueueSend(ctx, r.surveyId, r.decision.sendAt);
      return { outcome: r.decision.outcome, reason: r.decision.reason, surveyId: r.surveyId };
    },
    send: (p) =>
      'surveyId' in p ? sendSurvey(ctx, p.surveyId) : runBatchItems(ctx, 'send', p.surveyIds, sendSlots, (id) => sendSurvey(ctx, id), (id, delay) => ctx.loaders.enqueue.enqueue('send', { surveyId: id }, delay), stopping),
    remind: (p) => sendReminder(ctx, p.surveyId),
    writeback: async (p) => {
      if ('responseId' in p) return writeBack(ctx, p.responseId);
      // The batch's follow-ups go out as one job too, once its write-backs are done (a crash before
      // leaves them pending in Postgres, for the reconciler).
      const followUps: FollowUpJob[] = [];
      const r = await runBatchItems(ctx, 'writeback', p.responseIds, writebackSlots, (id) => writeBack(ctx, id, async (job) => void followUps.push(job)), (id, delay) => ctx.loaders.enqueue.enqueue('writeback', { responseId: id }, delay), stopping);
      await enqueueFollowUps(ctx, followUps);
      return r;
    },
    followup: async (p) => {
      if ('followUpId' in p) return runFollowUp(ctx, p.followUpId);
      const responses = new Map(p.followUps);
      return runBatchItems(ctx, 'followup', p.followUps.map(([f]) => f), followUpSlots, (id) => runFollowUp(ctx, id), (id, delay) => ctx.loaders.enqueue.enqueue('followup', { followUpId: id, responseId: responses.get(id)! }, delay), stopping);
    },
    sla: (p) => checkFollowUpSla(ctx, p.followUpId, p.check),
    // Digests load with the first one (weekly work; a worker's RSS at start stays what the loop needs).
    digestplan: async (p) => (await import('../digest/plan.js')).planDigests(ctx, p.connectorId, { period: p.period }),
    digest: async (p) => (await import('../digest/send.js')).sendDigest(ctx, p.digestId),
    maintenance: () => reconcile(ctx),
  };
}

async function enqueueFollowUps(ctx: StageContext, jobs: FollowUpJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += MAX_BATCH) {
    const chunk = jobs.slice(i, i + MAX_BATCH);
    await ctx.queues.enqueue('followup', chunk.length === 1 ? chunk[0]! : { followUps: chunk.map((j) => [j.followUpId, j.responseId] as [string, string]) });
  }
}
