import { CLOSURE_KNOWN, CLOSURE_RECORDED, markInboundEventProcessed } from '../../store/intake.js';
import type { StageContext } from '../context.js';

/**
 * Re-reads the ticket a push notification named (the payload is only a hint) and records its closure;
 * `onClosures` then takes the closures created (decides them, or enqueues their decisions). Concurrent
 * fetch jobs in a process load their notifications and store their tickets in shared statements.
 */
export async function fetchNotifiedTicket(ctx: StageContext, eventId: string, onClosures: (closureIds: string[]) => Promise<void> = (ids) => ctx.queues.enqueueMany('decide', ids.map((closureId) => ({ closureId })))): Promise<string> {
  const event = await ctx.loaders.inboundEvent.load(eventId);
  if (!event) return 'event no longer exists';
  if (event.processed_at) return `already processed: ${event.result ?? ''}`;
  const def = await ctx.connectors.get(event.connector_id);
  if (!def) return 'connector no longer exists';

  const ticket = await ctx.runtime.for(def).fetchTicket(event.external_id);
  if (!ticket || !ticket.isClosed) {
    const result = ticket ? `ticket not closed (state ${ticket.state ?? 'unknown'})` : 'ticket not found';
    await markInboundEventProcessed(ctx.db, eventId, result);
    return result;
  }
  // The closure and "processed" commit together; a crash before its decision leaves a pending closure,
  // which the reconciler enqueues.
  const ids = await ctx.loaders.recordPush.submit({ connectorId: def.id, eventId, ticket });
  await onClosures(ids);
  return ids.length > 0 ? CLOSURE_RECORDED : CLOSURE_KNOWN;
}
