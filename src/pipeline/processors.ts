import type { StageContext } from './context.js';
import { decideClosure } from './stages/decide.js';
import { fetchNotifiedTicket } from './stages/fetch.js';
import { pollConnector } from './stages/poll.js';
import { reconcile } from './stages/reconcile.js';
import type { Processors } from './workers.js';

/** One processor per stage; each returns a small summary that BullMQ keeps as the job's result. */
export function stageProcessors(ctx: StageContext): Processors {
  return {
    poll: (p) => pollConnector(ctx, p.connectorId),
    fetch: (p) => fetchNotifiedTicket(ctx, p.eventId),
    decide: async (p) => {
      const r = await decideClosure(ctx, p.closureId);
      return r.status === 'decided' ? { outcome: r.decision.outcome, reason: r.decision.reason, surveyId: r.surveyId } : r;
    },
    maintenance: () => reconcile(ctx),
  };
}
