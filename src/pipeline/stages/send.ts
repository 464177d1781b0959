import { backoffMs, RetryLaterError, sleep } from '../../lib/retry.js';
import { MailSendError, type OutgoingEmail } from '../../mail/transport.js';
import { cancelSurvey, releaseClaim, type SurveyForDelivery } from '../../store/surveys.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import type { StageContext } from '../context.js';
import { buildSurveyEmail } from './deliver-email.js';

/**
 * Re-read the ticket before sending only when the survey waited (a send window, an outage): a reopen
 * is then plausible. Surveys sent within minutes of the closure cost no ITSM call.
 */
export const REOPEN_CHECK_AFTER_MS = 15 * 60_000;
const QUOTA_PARK_MS = 3600_000;
const PAUSED_RETRY_MS = 15 * 60_000;
export const MAIL_GATE = 'mail';

/**
 * Sends one survey, at most once. The survey is claimed (scheduled → sending) with its token hashes
 * before the email goes out. Afterwards it is sent, failed (permanent refusal, reason kept), or —
 * when the transport cannot tell whether SES accepted it — unknown: reported, never re-sent blindly,
 * because a duplicate survey is worse for the customer than a missing one.
 */
export async function sendSurvey(ctx: StageContext, surveyId: string): Promise<string> {
  const s = await ctx.loaders.surveyForDelivery.load(surveyId);
  if (!s) return 'survey no longer exists';
  if (s.status !== 'scheduled') return `nothing to do: survey is ${s.status}`;
  const now = ctx.now();
  if (s.sendAfter.getTime() > now.getTime() + 1000) throw new RetryLaterError(s.sendAfter.getTime(), 'waiting for the send window');
  const def = await ctx.connectors.get(s.connectorId);
  if (!def) return 'connector no longer exists';

  const skip = await reasonNotToSend(ctx, s, def, now);
  if (skip) {
    await cancelSurvey(ctx.db, s.id, skip);
    return `cancelled: ${skip}`;
  }
  const openAt = await ctx.gate.openAt(MAIL_GATE);
  if (openAt > now.getTime()) throw new RetryLaterError(openAt, 'mail sending is parked (SES daily quota)');
  // Its turn within MAIL_MAX_PER_SECOND, before the claim (a claim must not wait: see claimTimeoutSeconds).
  await ctx.mail.pace.turn();

  const expiresAt = new Date(now.getTime() + def.survey.expiryDays * 86_400_000);
  const { email, tokens } = buildSurveyEmail(ctx, s, def, 'survey', expiresAt);
  if (!(await ctx.loaders.claimSend.submit({ surveyId: s.id, tokens, expiresAt }))) return 'claimed by another worker';

  try {
    const { messageId } = await sendWithRetries(ctx, email);
    await ctx.loaders.finishSend.submit({ surveyId: s.id, outcome: { status: 'sent', messageId, at: ctx.now() } });
    ctx.metrics?.mailSends.inc({ result: 'sent' });
    if (def.survey.reminderAfterDays) {
      await ctx.loaders.enqueue.enqueue('remind', { surveyId: s.id }, def.survey.reminderAfterDays * 86_400_000).catch((err) => ctx.logger.warn({ err, surveyId }, 'reminder enqueue failed; the reconciler will retry'));
    }
    return 'sent';
  } catch (e) {
    return handleSendFailure(ctx, s.id, e, () => releaseClaim(ctx.db, s.id, tokens.map((t) => t.hash)), (reason, status) => ctx.loaders.finishSend.submit({ surveyId: s.id, outcome: { status, reason } }));
  }
}

const INLINE_ATTEMPTS = 4;

/**
 * Throttling and other "certainly not sent" failures are retried in place a few times with jittered
 * backoff (a burst over SES's per-second rate clears in moments); after that BullMQ's backoff takes over.
 */
export async function sendWithRetries(ctx: StageContext, email: OutgoingEmail): Promise<{ messageId: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.mail.transport.send(email);
    } catch (e) {
      if (!(e instanceof MailSendError) || e.kind !== 'retryable' || attempt >= INLINE_ATTEMPTS) throw e;
      await sleep(backoffMs(attempt, 200, 2000));
    }
  }
}

/** Why a scheduled survey must not go out after all (null: send it). */
export async function reasonNotToSend(ctx: StageContext, s: SurveyForDelivery, def: ConnectorDefinition, now: Date, alwaysCheckTicket = false): Promise<string | null> {
  const suppressed = s.suppression;
  if (suppressed) return `recipient is on the suppression list (${suppressed})`;
  if (s.expiresAt && s.expiresAt < now) return 'survey expired';
  if (alwaysCheckTicket || now.getTime() - s.closedAt.getTime() > REOPEN_CHECK_AFTER_MS) {
    const ticket = await ctx.runtime.for(def).fetchTicket(s.ticketExternalId);
    if (!ticket) return 'ticket no longer exists';
    if (!ticket.isClosed || ticket.closedAt?.getTime() !== s.closedAt.getTime()) return 'ticket was reopened';
  }
  return null;
}

/** Shared by survey and reminder sends: what each kind of transport failure means for the claim. */
export async function handleSendFailure(
  ctx: StageContext,
  surveyId: string,
  e: unknown,
  release: () => Promise<void>,
  finish: (reason: string, status: 'failed' | 'unknown') => Promise<void>,
): Promise<string> {
  const err = e instanceof MailSendError ? e : new MailSendError('ambiguous', (e as Error)?.message ?? String(e));
  ctx.metrics?.mailSends.inc({ result: err.kind });
  switch (err.kind) {
    case 'retryable':
      await release();
      throw err; // BullMQ retries with exponential backoff and jitter
    case 'quota':
      await release();
      await ctx.gate.closeUntil(MAIL_GATE, Date.now() + QUOTA_PARK_MS);
      ctx.logger.error({ surveyId }, 'SES daily sending quota exceeded: sending parked for an hour');
      throw new RetryLaterError(Date.now() + QUOTA_PARK_MS, err.message);
    case 'paused':
      await release();
      await ctx.queues.get('send').pause();
      ctx.logger.fatal({ surveyId, code: err.code }, 'ALARM: mail cannot be sent (SES sending paused, account suspended, or bad credentials); the send queue is paused. Fix it, then POST /admin/pipeline/send/resume');
      throw new RetryLaterError(Date.now() + PAUSED_RETRY_MS, err.message);
    case 'permanent':
      await finish(err.message, 'failed');
      ctx.logger.warn({ surveyId, reason: err.message }, 'survey email refused; not retried');
      return `failed: ${err.message}`;
    case 'ambiguous':
      await finish(`outcome unknown: ${err.message}`, 'unknown');
      ctx.logger.error({ surveyId, reason: err.message }, 'survey email outcome unknown; not re-sent (see README: "Never twice")');
      return `unknown: ${err.message}`;
  }
}
