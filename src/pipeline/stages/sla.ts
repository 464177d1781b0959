import { sql } from 'kysely';
import { marker } from '../../lib/markers.js';
import { renderEscalationNote } from '../../render/itsm.js';
import { docToText } from '../../render/itsm-doc.js';
import { parseOutcome } from '../../rules/outcome-codes.js';
import type { FollowUpWork } from '../../store/follow-ups.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import type { StageContext } from '../context.js';

/** After the due time, an open task is looked at again every hour (to catch its outcome), for two weeks. */
const RECHECK_MS = 3600_000;
const GIVE_UP_AFTER_DUE_MS = 14 * 86_400_000;

/**
 * Reads the follow-up task's state at its due time. Closed: its close notes are the recorded outcome
 * of the recovery call. Still open: overdue — counted and logged, and the configured escalation happens
 * once (notes on the ticket and the task, an email) — then checked again until it closes.
 */
export async function checkFollowUpSla(ctx: StageContext, followUpId: string, check: number): Promise<string> {
  const f = await ctx.loaders.followUp.load(followUpId);
  if (!f || f.status !== 'open' || !f.externalId) return 'nothing to do';
  if (check < f.slaChecks) return 'superseded by a later check';
  const def = await ctx.connectors.get(f.connectorId);
  if (!def) return 'connector no longer exists';
  const state = await ctx.runtime.for(def).readTaskState(f.externalId);
  const now = ctx.now();

  if (!state || state.closed) {
    await ctx.db
      .updateTable('follow_ups')
      .set({
        status: 'closed',
        closed_at: state?.closedAt ?? now,
        outcome: state ? state.closeNotes : '(task deleted in the ITSM)',
        // The code the agent closed it with (followUp.outcomeCodes); the free text stays in outcome.
        outcome_code: state ? parseOutcome(state.closeNotes, def.followUp.outcomeCodes).code : null,
        updated_at: sql`now()`,
      })
      .where('id', '=', f.id)
      .where('status', '=', 'open')
      .execute();
    return state ? `closed${now > f.dueAt ? ' late' : ''}: outcome recorded` : 'task no longer exists';
  }
  if (now < f.dueAt) return scheduleNext(ctx, f, f.dueAt, 'not due yet');

  if (!f.overdueAt) {
    const first = await ctx.db.updateTable('follow_ups').set({ overdue_at: now, updated_at: sql`now()` }).where('id', '=', f.id).where('overdue_at', 'is', null).executeTakeFirst();
    if (Number(first.numUpdatedRows) === 1) ctx.logger.warn({ followUpId: f.id, task: f.externalKey, dueAt: f.dueAt }, 'follow-up overdue');
  }
  if (!f.escalatedAt) await escalate(ctx, f, def);
  if (now.getTime() - f.dueAt.getTime() > GIVE_UP_AFTER_DUE_MS) return 'still open two weeks after due; no more checks';
  return scheduleNext(ctx, f, new Date(now.getTime() + RECHECK_MS), 'overdue, escalated');
}

async function scheduleNext(ctx: StageContext, f: FollowUpWork, at: Date, outcome: string): Promise<string> {
  const next = f.slaChecks + 1;
  await ctx.db.updateTable('follow_ups').set({ sla_checks: next }).where('id', '=', f.id).where('sla_checks', '=', f.slaChecks).execute();
  await ctx.queues.enqueue('sla', { followUpId: f.id, check: next }, { delay: Math.max(0, at.getTime() - ctx.now().getTime()) });
  return outcome;
}

/** Once: a note on the ticket and on the task (each skipped if its marker is already there), and an email. */
async function escalate(ctx: StageContext, f: FollowUpWork, def: ConnectorDefinition): Promise<void> {
  const connector = ctx.runtime.for(def);
  const m = marker(ctx.secret, 'E', f.id);
  const doc = renderEscalationNote({ ticketKey: f.ticketKey ?? f.ticketExternalId, taskKey: f.externalKey, customer: f.customer, dueAt: f.dueAt, marker: m });
  if (def.followUp.escalation.notes) {
    if (!(await connector.hasNote(f.ticketExternalId, m, 'internal'))) await connector.writeFeedback(f.ticketExternalId, { marker: m, doc, visibility: 'internal', fields: {} });
    if (!(await connector.hasTaskNote(f.externalId!, m))) await connector.addTaskNote(f.externalId!, doc);
  }
  const to = def.followUp.escalation.email;
  if (to) {
    const text = docToText(doc); // the mail's HTML part escapes it below
    await ctx.mail.transport.send({
      to,
      from: { address: ctx.mail.fromAddress, name: ctx.mail.fromName ?? 'Customer feedback' },
      subject: `Overdue follow-up: unhappy customer on ${f.ticketKey ?? f.ticketExternalId}`.slice(0, 150),
      html: `<p>${text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\n/g, '<br>')}</p><p><a href="${connector.ticketUrl(f.ticketExternalId, f.ticketKey)}">Open the ticket</a></p>`,
      text: `${text}\n\n${connector.ticketUrl(f.ticketExternalId, f.ticketKey)}`,
      headers: {},
      tags: { follow_up_id: f.id, connector_id: def.id, kind: 'escalation' },
    });
  }
  await ctx.db.updateTable('follow_ups').set({ escalated_at: sql`now()` }).where('id', '=', f.id).where('escalated_at', 'is', null).execute();
  ctx.logger.warn({ followUpId: f.id, task: f.externalKey, email: to ? 'sent' : 'none' }, 'follow-up escalated');
}
