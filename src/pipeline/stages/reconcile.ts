import { sql } from 'kysely';
import type { StageContext } from '../context.js';
import { reconcileDigests } from '../../digest/reconcile.js';

const BATCH = 5000;

/**
 * The safety net of "Postgres first, then enqueue": work committed but never enqueued (a crash in
 * between) or whose job vanished (Redis lost its data) is enqueued again. Deterministic job ids make
 * this harmless for work that is still queued. Sends claimed long ago with no outcome are reported
 * as unknown — never re-sent.
 */
export async function reconcile(ctx: StageContext) {
  const olderThan = sql<Date>`now() - make_interval(secs => ${ctx.reconcileGraceSeconds})`;
  const closures = await ctx.db.selectFrom('closures').select('id').where('status', '=', 'pending').where('received_at', '<=', olderThan).orderBy('received_at').limit(BATCH).execute();
  await ctx.queues.enqueueMany('decide', closures.map((c) => ({ closureId: c.id })));

  const events = await ctx.db.selectFrom('inbound_events').select('id').where('processed_at', 'is', null).where('received_at', '<=', olderThan).orderBy('received_at').limit(BATCH).execute();
  await ctx.queues.enqueueMany('fetch', events.map((e) => ({ eventId: e.id })));

  const now = ctx.now().getTime();
  const scheduled = await ctx.db.selectFrom('surveys').select(['id', 'send_after']).where('status', '=', 'scheduled').where('created_at', '<=', olderThan).orderBy('send_after').limit(BATCH).execute();
  await ctx.queues.enqueueMany('send', scheduled.map((s) => ({ surveyId: s.id })), scheduled.map((s) => Math.max(0, s.send_after.getTime() - now)));

  const reminders = await ctx.db
    .selectFrom('surveys as s')
    .innerJoin('connectors as c', 'c.id', 's.connector_id')
    .select(['s.id', 's.sent_at', sql<number>`(c.definition->'survey'->>'reminderAfterDays')::int`.as('days')])
    .where('s.status', '=', 'sent')
    .where('s.reminder_status', 'is', null)
    .where(sql<boolean>`(c.definition->'survey'->>'reminderAfterDays') IS NOT NULL`)
    .where('s.expires_at', '>', sql<Date>`now()`)
    // Answered: no reminder is owed (the job would only say so, again and again).
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('responses as r').select('r.id').whereRef('r.survey_id', '=', 's.id').where('r.is_active', '=', true))))
    .limit(BATCH)
    .execute();
  await ctx.queues.enqueueMany('remind', reminders.map((r) => ({ surveyId: r.id })), reminders.map((r) => Math.max(0, r.sent_at!.getTime() + r.days * 86_400_000 - now)));

  // Answers owed to a ticket, follow-ups owed to a detractor, and the SLA checks of open tasks.
  // A write-back is owed once its answer has settled (the connector's debounce): until then its job (one
  // per answer, or one for the answers of a moment) is meant to be waiting.
  const writebacks = await ctx.db
    .selectFrom('writebacks as w')
    .innerJoin('connectors as c', 'c.id', 'w.connector_id')
    .select('w.response_id')
    .where('w.status', 'in', ['pending', 'claimed'])
    .where('w.created_at', '<=', sql<Date>`now() - make_interval(secs => ${ctx.reconcileGraceSeconds} + coalesce((c.definition->'writeBack'->>'debounceSeconds')::int, 0))`)
    .limit(BATCH)
    .execute();
  await ctx.queues.enqueueMany('writeback', writebacks.map((w) => ({ responseId: w.response_id })));
  const followUps = await ctx.db.selectFrom('follow_ups').select(['id', 'response_id']).where('status', 'in', ['pending', 'claimed']).where('updated_at', '<=', olderThan).limit(BATCH).execute();
  await ctx.queues.enqueueMany('followup', followUps.map((f) => ({ followUpId: f.id, responseId: f.response_id })));
  const openTasks = await ctx.db.selectFrom('follow_ups').select(['id', 'due_at', 'sla_checks', 'overdue_at']).where('status', '=', 'open').limit(BATCH).execute();
  await ctx.queues.enqueueMany('sla', openTasks.map((f) => ({ followUpId: f.id, check: f.sla_checks })), openTasks.map((f) => (f.sla_checks === 0 ? Math.max(0, f.due_at.getTime() - now) : 0)));

  // Work owed for longer than RECONCILE_STUCK_SECONDS although its job should have done it: repair blocking jobs.
  const stuckFor = sql<Date>`now() - make_interval(secs => ${ctx.reconcileStuckSeconds})`;
  const stuckSurveys = await ctx.db.selectFrom('surveys').select('id').where('status', '=', 'scheduled').where('send_after', '<', stuckFor).limit(500).execute();
  const stuckClosures = await ctx.db.selectFrom('closures').select('id').where('status', '=', 'pending').where('received_at', '<', stuckFor).limit(500).execute();
  const stuckWritebacks = await ctx.db.selectFrom('writebacks').select('response_id').where('status', 'in', ['pending', 'claimed']).where('created_at', '<', stuckFor).limit(500).execute();
  const stuckFollowUps = await ctx.db.selectFrom('follow_ups').select(['id', 'response_id']).where('status', 'in', ['pending', 'claimed']).where('updated_at', '<', stuckFor).limit(500).execute();
  const stuckEvents = await ctx.db.selectFrom('inbound_events').select('id').where('processed_at', 'is', null).where('received_at', '<', stuckFor).limit(500).execute();
  // Timed work whose time is long past: a reminder never sent, a follow-up never checked at its due time.
  const stuckMs = now - ctx.reconcileStuckSeconds * 1000;
  const stuckReminders = reminders.filter((r) => r.sent_at!.getTime() + r.days * 86_400_000 < stuckMs).slice(0, 500);
  const stuckSlaChecks = openTasks.filter((f) => f.overdue_at === null && f.due_at.getTime() < stuckMs).slice(0, 500);
  const repaired =
    (await ctx.queues.repair('fetch', stuckEvents.map((e) => ({ eventId: e.id })))) +
    (await ctx.queues.repair('remind', stuckReminders.map((r) => ({ surveyId: r.id })))) +
    (await ctx.queues.repair('sla', stuckSlaChecks.map((f) => ({ followUpId: f.id, check: f.sla_checks })))) +
    (await ctx.queues.repair('send', stuckSurveys.map((r) => ({ surveyId: r.id })))) +
    (await ctx.queues.repair('decide', stuckClosures.map((r) => ({ closureId: r.id })))) +
    (await ctx.queues.repair('writeback', stuckWritebacks.map((r) => ({ responseId: r.response_id })))) +
    (await ctx.queues.repair('followup', stuckFollowUps.map((r) => ({ followUpId: r.id, responseId: r.response_id }))));
  if (repaired > 0) ctx.logger.warn({ repaired }, 'reconciler replaced jobs that could no longer do owed work');

  const lost = await ctx.db
    .updateTable('surveys')
    .set({ status: 'unknown', failed_reason: 'claimed for sending but no outcome was recorded (process crashed?); not re-sent', updated_at: sql`now()` })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${ctx.mail.claimTimeoutSeconds})`)
    .returning('id')
    .execute();
  if (lost.length > 0) ctx.logger.error({ surveyIds: lost.map((l) => l.id) }, 'survey sends with unknown outcome; not re-sent');

  const digests = await reconcileDigests(ctx);

  const counts = { closures: closures.length, events: events.length, surveys: scheduled.length, reminders: reminders.length, writebacks: writebacks.length, followUps: followUps.length, repaired, unknown: lost.length, digests };
  if (closures.length + events.length > 0) ctx.logger.info(counts, 'reconciler re-enqueued pending work');
  return counts;
}
