import { sql } from 'kysely';
import { answersUrl } from '../../lib/agent-links.js';
import { marker } from '../../lib/markers.js';
import { RetryLaterError } from '../../lib/retry.js';
import { renderFollowUpTask, renderRatingChangeNote } from '../../render/itsm.js';
import { isDetractor } from '../../rules/follow-up-policy.js';
import { FOLLOW_UP_CLAIMS, type FollowUpWork } from '../../store/follow-ups.js';
import { underClaim } from '../../store/claim-lease.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import type { StageContext } from '../context.js';

/**
 * A detractor's follow-up: creates the task in the originating ITSM exactly once (claim, then look
 * for the marker after an interrupted attempt), or — once it exists — notes a change of rating on it.
 */
export async function runFollowUp(ctx: StageContext, followUpId: string): Promise<string> {
  const f = await ctx.loaders.followUp.load(followUpId);
  if (!f) return 'follow-up no longer exists';
  const def = await ctx.connectors.get(f.connectorId);
  if (!def) return 'connector no longer exists';
  if (f.status === 'open') return noteRatingChange(ctx, f, def);
  if (f.status !== 'pending' && f.status !== 'claimed') return `nothing to do: ${f.status}`;

  const attempt = await ctx.loaders.claimFollowUp.submit(f.id);
  if (attempt === null) throw new RetryLaterError(Date.now() + ctx.claimLeaseMs, 'another worker is creating this task');
  return underClaim(ctx.db, FOLLOW_UP_CLAIMS, f.id, attempt, ctx.claimLeaseMs, () => createTask(ctx, f, def, attempt));
}

async function createTask(ctx: StageContext, f: FollowUpWork, def: ConnectorDefinition, attempt: number): Promise<string> {
  const connector = ctx.runtime.for(def);
  const groupId = def.followUp.assignmentGroup ?? f.assignmentGroupId;
  const assigneeId = def.followUp.assigneeByGroup[groupId ?? ''] ?? def.followUp.assigneeByGroup[f.assignmentGroupName ?? ''] ?? null;
  let task = attempt > 1 ? await connector.findFollowUpTask(f.ticketExternalId, f.marker) : null;
  if (!task) {
    const { title, description } = renderFollowUpTask({
      scale: f.scale,
      score: f.score,
      comment: f.comment,
      customer: f.customer,
      answeredAt: f.submittedAt,
      answerUrl: answersUrl(ctx.mail.publicUrl, ctx.secret, f.surveyId, { now: ctx.now(), ttlDays: ctx.mail.agentLinkTtlDays }),
      ticketUrl: connector.ticketUrl(f.ticketExternalId, f.ticketKey),
      ticketKey: f.ticketKey ?? f.ticketExternalId,
      ticketTitle: f.ticketTitle ?? '',
      dueAt: f.dueAt,
      dueHours: def.followUp.dueHours,
      marker: f.marker,
      outcomeCodes: def.followUp.outcomeCodes,
    });
    task = await connector.createFollowUpTask({ marker: f.marker, parentExternalId: f.ticketExternalId, title, description, assignmentGroupId: groupId, assigneeId, dueAt: f.dueAt, priority: def.followUp.priority });
  }
  await ctx.loaders.markTaskCreated.submit({ id: f.id, externalId: task.externalId, key: task.key, groupId, assigneeId, responseId: f.responseId });
  await ctx.loaders.enqueue.enqueue('sla', { followUpId: f.id, check: f.slaChecks }, f.dueAt.getTime() - ctx.now().getTime());
  ctx.logger.info({ followUpId: f.id, task: task.key }, 'follow-up task created');
  return `task ${task.key ?? task.externalId}`;
}

/**
 * The customer changed their rating after the task was created. The task is told once each time the
 * answer crosses the detractor threshold — "no longer unhappy" with the new score, or "unhappy again" —
 * and never deleted; a change that stays on the same side is only recorded (the ticket's note says it).
 */
async function noteRatingChange(ctx: StageContext, f: FollowUpWork, def: ConnectorDefinition): Promise<string> {
  if (f.notedResponseId === f.responseId || !f.externalId) return 'rating change already noted';
  const max = def.followUp.detractorMax;
  const satisfied = !isDetractor(f.scale, f.score, max);
  const wasSatisfied = f.notedScore !== null && !isDetractor(f.scale, f.notedScore, max);
  let outcome = 'rating changed on the same side of the detractor threshold: nothing to tell the task';
  if (satisfied !== wasSatisfied) {
    const connector = ctx.runtime.for(def);
    const m = marker(ctx.secret, 'C', f.responseId);
    if (!(await connector.hasTaskNote(f.externalId, m))) {
      const doc = renderRatingChangeNote({ scale: f.scale, score: f.score, previousScore: f.notedScore ?? f.score, comment: f.comment, answeredAt: f.submittedAt, satisfied, marker: m });
      await connector.addTaskNote(f.externalId, doc);
    }
    outcome = satisfied ? 'task told the customer is no longer unhappy' : 'task told the customer is unhappy again';
  }
  await ctx.db.updateTable('follow_ups').set({ noted_response_id: f.responseId, updated_at: sql`now()` }).where('id', '=', f.id).execute();
  return outcome;
}
