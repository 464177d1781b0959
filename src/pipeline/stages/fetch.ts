import { CLOSURE_KNOWN, CLOSURE_RECORDED, markInboundEventProcessed, recordSnapshots } from '../../store/intake.js';
import type { StageContext } from '../context.js';

/** Re-reads the ticket a push notification named (the payload is only a hint) and records its closure. */
export async function fetchNotifiedTicket(ctx: StageContext, eventId: string): Promise<string> {
  const event = await ctx.db.selectFrom('inbound_events').select(['connector_id', 'external_id', 'processed_at', 'result']).where('id', '=', eventId).executeTakeFirst();
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
  // The closure and "processed" commit together; a crash before the enqueue leaves a pending closure,
  // which the reconciler enqueues.
  const ids = await recordSnapshots(ctx.db, def.id, [ticket], 'webhook', eventId);
  await ctx.queues.enqueueMany('decide', ids.map((closureId) => ({ closureId })));
  return ids.length > 0 ? CLOSURE_RECORDED : CLOSURE_KNOWN;
}
