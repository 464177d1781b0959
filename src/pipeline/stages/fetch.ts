import { markInboundEventProcessed, recordSnapshots } from '../../store/intake.js';
import type { StageContext } from '../context.js';

/** Re-reads the ticket a push notification named (the payload is only a hint) and records its closure. */
export async function fetchNotifiedTicket(ctx: StageContext, eventId: string): Promise<string> {
  const event = await ctx.db.selectFrom('inbound_events').select(['connector_id', 'external_id', 'processed_at', 'result']).where('id', '=', eventId).executeTakeFirst();
  if (!event) return 'event no longer exists';
  if (event.processed_at) return `already processed: ${event.result ?? ''}`;
  const def = await ctx.connectors.get(event.connector_id);
  if (!def) return 'connector no longer exists';

  const ticket = await ctx.runtime.for(def).fetchTicket(event.external_id);
  let result: string;
  if (!ticket) result = 'ticket not found';
  else if (!ticket.isClosed) result = `ticket not closed (state ${ticket.state ?? 'unknown'})`;
  else {
    const ids = await recordSnapshots(ctx.db, def.id, [ticket], 'webhook');
    await ctx.queues.enqueueMany('decide', ids.map((closureId) => ({ closureId })));
    result = ids.length > 0 ? 'closure recorded' : 'closure already known';
  }
  await markInboundEventProcessed(ctx.db, eventId, result);
  return result;
}
