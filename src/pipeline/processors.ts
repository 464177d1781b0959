import type { StageContext } from './context.js';
import { enqueueSend } from './stages/decide.js';
import { DecideBatcher } from './decide-batcher.js';
import { decideNow } from './decide-now.js';
import { sendReminder } from './stages/remind.js';
import { sendSurvey } from './stages/send.js';
import { writeBack } from './stages/write-back.js';
import { runFollowUp } from './stages/follow-up.js';
import { checkFollowUpSla } from './stages/sla.js';
import { fetchNotifiedTicket } from './stages/fetch.js';
import { POLL_RUNNING, pollConnector } from './stages/poll.js';
import { RetryLaterError } from '../lib/retry.js';
import { reconcile } from './stages/reconcile.js';
import type { Processors } from './workers.js';

/** One processor per stage; each returns a small summary that BullMQ keeps as the job's result. */
export function stageProcessors(ctx: StageContext): Processors {
  // Shared by decide jobs and by the poll and fetch jobs, which decide the closures they store at once.
  const decisions = new DecideBatcher(ctx);
  return {
    poll: async (p, job) => {
      const r = await pollConnector(ctx, p.connectorId, (ids) => decideNow(ctx, decisions, ids));
      // A scheduled poll that finds another running is simply redundant; a requested one ("poll now")
      // must not be lost: it runs once the current poll has finished.
      if (r.status === 'skipped' && r.reason === POLL_RUNNING && !job.repeatJobKey) throw new RetryLaterError(Date.now() + 2000, r.reason);
      return r;
    },
    fetch: (p) => fetchNotifiedTicket(ctx, p.eventId, (ids) => decideNow(ctx, decisions, ids)),
    decide: async (p) => {
      const r = await decisions.decide(p.closureId);
      if (r.status !== 'decided') return r;
      if (r.surveyId && r.decision.outcome === 'survey') await enqueueSend(ctx, r.surveyId, r.decision.sendAt);
      return { outcome: r.decision.outcome, reason: r.decision.reason, surveyId: r.surveyId };
    },
    send: (p) => sendSurvey(ctx, p.surveyId),
    remind: (p) => sendReminder(ctx, p.surveyId),
    writeback: (p) => writeBack(ctx, p.responseId),
    followup: (p) => runFollowUp(ctx, p.followUpId),
    sla: (p) => checkFollowUpSla(ctx, p.followUpId, p.check),
    maintenance: () => reconcile(ctx),
  };
}
