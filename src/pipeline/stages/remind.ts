import { claimReminder, finishReminder, releaseReminderClaim } from '../../store/surveys.js';
import type { StageContext } from '../context.js';
import { buildSurveyEmail } from './deliver-email.js';
import { handleSendFailure, reasonNotToSend, sendWithRetries } from './send.js';

/** The optional single reminder: never after an answer, an opt-out, a reopen, or expiry. */
export async function sendReminder(ctx: StageContext, surveyId: string): Promise<string> {
  const s = await ctx.loaders.surveyForDelivery.load(surveyId);
  if (!s) return 'survey no longer exists';
  if (s.status !== 'sent' || s.reminderStatus !== null) return 'nothing to do';
  if (s.hasActiveAnswer) return 'already answered';
  const def = await ctx.connectors.get(s.connectorId);
  if (!def?.survey.reminderAfterDays) return 'reminders are off';
  const now = ctx.now();
  const skip = await reasonNotToSend(ctx, s, def, now, true);
  if (skip) {
    await finishReminder(ctx.db, s.id, { status: 'skipped', reason: skip });
    return `skipped: ${skip}`;
  }
  const { email, tokens } = buildSurveyEmail(ctx, s, def, 'reminder', s.expiresAt!);
  if (!(await claimReminder(ctx.db, s.id, tokens))) return 'claimed elsewhere or answered';
  try {
    const { messageId } = await sendWithRetries(ctx, email);
    await finishReminder(ctx.db, s.id, { status: 'sent', messageId, at: ctx.now() });
    ctx.metrics?.mailSends.inc({ result: 'reminder_sent' });
    return 'reminder sent';
  } catch (e) {
    return handleSendFailure(ctx, s.id, e, () => releaseReminderClaim(ctx.db, s.id, tokens.map((t) => t.hash)), (reason, status) => finishReminder(ctx.db, s.id, { status, reason }));
  }
}
