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
      comment: f.comment === null ? null : connector.neutralise(f.comment),
      customer: connector.neutralise(f.customer),
      answeredAt: f.submittedAt,
      answerUrl: answersUrl(ctx.mail.publicUrl, ctx.secret, f.surveyId),
      ticketUrl: connector.ticketUrl(f.ticketExternalId, f.ticketKey),
      ticketKey: f.ticketKey ?? f.ticketExternalId,
      ticketTitle: connector.neutralise(f.ticketTitle ?? ''),
      dueAt: f.dueAt,
      dueHours: def.followUp.dueHours,
      marker: f.marker,
    });
    task = await connector.createFollowUpTask({ marker: f.marker, parentExternalId: f.ticketExternalId, title, description, assignmentGroupId: groupId, assigneeId, dueAt: f.dueAt, priority: def.followUp.priority });
  }
  await ctx.loaders.markTaskCreated.submit({ id: f.id, externalId: task.externalId, key: task.key, groupId, assigneeId, responseId: f.responseId });
  await ctx.loaders.enqueue.enqueue('sla', { followUpId: f.id, check: f.slaChecks }, f.dueAt.getTime() - ctx.now().getTime());
  ctx.logger.info({ followUpId: f.id, task: task.key }, 'follow-up task created');
  return `task ${task.key ?? task.externalId}`;
}

/** The customer changed their rating after the task was created: note it on the task (never delete). */
async function noteRatingChange(ctx: StageContext, f: FollowUpWork, def: ConnectorDefinition): Promise<string> {
  if (f.notedResponseId === f.responseId || !f.externalId) return 'rating change already noted';
  const connector = ctx.runtime.for(def);
  const m = marker(ctx.secret, 'C', f.responseId);
  if (!(await connector.hasTaskNote(f.externalId, m))) {
    const text = renderRatingChangeNote({ scale: f.scale, score: f.score, comment: f.comment === null ? null : connector.neutralise(f.comment), answeredAt: f.submittedAt, satisfied: !isDetractor(f.scale, f.score, def.followUp.detractorMax), marker: m });
    await connector.addTaskNote(f.externalId, text);
  }
  await ctx.db.updateTable('follow_ups').set({ noted_response_id: f.responseId, updated_at: sql`now()` }).where('id', '=', f.id).execute();
  return 'rating change noted on the task';
}
