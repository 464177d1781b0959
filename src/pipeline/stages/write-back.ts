import { answersUrl } from '../../lib/agent-links.js';
import { marker } from '../../lib/markers.js';
import { RetryLaterError } from '../../lib/retry.js';
import { renderFeedbackNote, scoreLabel } from '../../render/itsm.js';
import { docToText } from '../../render/itsm-doc.js';
import { followUpAction, followUpDueAt, isDetractor } from '../../rules/follow-up-policy.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import { cancelPendingFollowUp, setLatestResponse } from '../../store/follow-ups.js';
import { WRITEBACK_CLAIMS, type WritebackWork } from '../../store/writebacks.js';
import { underClaim } from '../../store/claim-lease.js';
import type { StageContext } from '../context.js';

/**
 * Once an answer has settled (no newer answer within the debounce delay): apply the follow-up
 * policy (Postgres only), then write the answer onto the ticket exactly once — claimed before the
 * call, and after an interrupted attempt the ticket is searched for the answer's marker first.
 */
export type FollowUpJob = { followUpId: string; responseId: string };

export async function writeBack(
  ctx: StageContext,
  responseId: string,
  /** Enqueues the follow-up job the policy asks for (a batch collects them into one job). */
  followUp: (job: FollowUpJob) => Promise<void> = (job) => ctx.loaders.enqueue.enqueue('followup', job),
): Promise<string> {
  const w = await ctx.loaders.writeback.load(responseId);
  if (!w) return 'no write-back owed for this answer';
  if (w.status === 'done' || w.status === 'superseded' || w.status === 'failed') return `nothing to do: ${w.status}`;
  if (!w.isActive) {
    await ctx.loaders.finishWriteback.submit({ id: w.id, status: 'superseded' });
    return 'superseded by a newer answer';
  }
  const def = await ctx.connectors.get(w.connectorId);
  if (!def) return 'connector no longer exists';
  const settlesAt = w.submittedAt.getTime() + def.writeBack.debounceSeconds * 1000;
  if (settlesAt > ctx.now().getTime()) throw new RetryLaterError(settlesAt, 'waiting for the answer to settle');

  const taskDueAt = await applyFollowUpPolicy(ctx, w, def, followUp);

  // A live claim (another worker writing right now, e.g. a job run twice after a Redis wipe) is left
  // alone: come back once it has lapsed, and then look for the marker first.
  const claim = await ctx.loaders.claimWriteback.submit(w.id);
  if (claim === null) throw new RetryLaterError(Date.now() + ctx.claimLeaseMs, 'another worker is writing this answer back');
  return underClaim(ctx.db, WRITEBACK_CLAIMS, w.id, claim.attempt, ctx.claimLeaseMs, () => writeAnswer(ctx, w, def, claim, taskDueAt));
}

/**
 * The note and the structured data describe the answer that stands now: `detractor` is whether this
 * answer is unhappy, not whether a follow-up task exists (a customer who changed 1 → 5 is no longer a
 * detractor, though the task created for the 1 stays open and is told so).
 */
async function writeAnswer(ctx: StageContext, w: WritebackWork, def: ConnectorDefinition, claim: { attempt: number; previousScore: number | null }, taskDueAt: Date | null): Promise<string> {
  const { attempt, previousScore } = claim;
  const connector = ctx.runtime.for(def);
  const visibility = def.writeBack.target;
  if (attempt > 1 && visibility !== 'none' && (await connector.hasNote(w.ticketExternalId, w.marker, visibility))) {
    await ctx.loaders.finishWriteback.submit({ id: w.id, status: 'done', note: 'found by marker after an interrupted attempt' });
    return 'already written';
  }
  const detractor = isDetractor(w.scale, w.score, def.followUp.detractorMax);
  const doc = renderFeedbackNote({
    scale: w.scale,
    score: w.score,
    comment: w.comment,
    customer: w.customer,
    answeredAt: w.submittedAt,
    answerUrl: answersUrl(ctx.mail.publicUrl, ctx.secret, w.surveyId, { now: ctx.now(), ttlDays: ctx.mail.agentLinkTtlDays }),
    marker: w.marker,
    previousScore,
    detractor,
    taskDueAt,
  });
  const f = def.writeBack.fields;
  const fields: Record<string, string> = {};
  if (f.score) fields[f.score] = String(w.score);
  if (f.comment) fields[f.comment] = w.comment ?? '';
  if (f.label) fields[f.label] = docToText({ lines: doc.lines.slice(0, 1) });
  if (f.detractor) fields[f.detractor] = String(detractor);
  const data = {
    surveyId: w.surveyId,
    responseId: w.responseId,
    scale: w.scale,
    score: w.score,
    label: scoreLabel(w.scale, w.score),
    comment: w.comment,
    answeredAt: w.submittedAt.toISOString(),
    detractor,
    // The follow-up task's due time while one is open or being created (possibly for an earlier, unhappy answer).
    followUpDueAt: taskDueAt?.toISOString() ?? null,
    answersUrl: answersUrl(ctx.mail.publicUrl, ctx.secret, w.surveyId, { now: ctx.now(), ttlDays: ctx.mail.agentLinkTtlDays }),
  };
  await connector.writeFeedback(w.ticketExternalId, { marker: w.marker, doc, visibility, fields, data });
  await ctx.loaders.finishWriteback.submit({ id: w.id, status: 'done' });
  return 'written';
}

/** Creates, cancels or notes the survey's follow-up. Returns the due time while a task is owed, being created or open. */
async function applyFollowUpPolicy(ctx: StageContext, w: WritebackWork, def: ConnectorDefinition, followUp: (job: FollowUpJob) => Promise<void>): Promise<Date | null> {
  const existing = w.followUp;
  const action = followUpAction({ enabled: def.followUp.enabled, scale: w.scale, score: w.score, detractorMax: def.followUp.detractorMax, existing: existing?.status ?? null });
  switch (action) {
    case 'create': {
      const dueAt = followUpDueAt(w.submittedAt, def.followUp.dueHours);
      const id = await ctx.loaders.upsertFollowUp.submit({ surveyId: w.surveyId, responseId: w.responseId, ticketId: w.ticketId, connectorId: w.connectorId, marker: marker(ctx.secret, 'T', w.surveyId), dueAt });
      await followUp({ followUpId: id, responseId: w.responseId });
      return dueAt;
    }
    case 'cancel':
      await cancelPendingFollowUp(ctx.db, existing!.id, w.responseId);
      return null;
    case 'note':
      await setLatestResponse(ctx.db, existing!.id, w.responseId);
      await followUp({ followUpId: existing!.id, responseId: w.responseId });
      return existing!.dueAt;
    case 'none':
      return existing && ['pending', 'claimed', 'open'].includes(existing.status) ? existing.dueAt : null;
  }
}
