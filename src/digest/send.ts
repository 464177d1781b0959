import { backoffMs, RetryLaterError, sleep } from '../lib/retry.js';
import { MailSendError, type OutgoingEmail } from '../mail/transport.js';
import type { StageContext } from '../pipeline/context.js';
import { MAIL_GATE } from '../pipeline/stages/send.js';
import { loadDigestContent } from './content.js';
import { dbReader } from './db-reader.js';
import { defaultDigestProviders } from './providers.js';
import { renderDigest } from './render.js';
import { claimDigest, finishDigest, loadDigest, releaseDigest, type DigestRow } from './store.js';

const INLINE_ATTEMPTS = 4;
const QUOTA_PARK_MS = 3600_000;
const PAUSED_RETRY_MS = 15 * 60_000;

/**
 * Sends one team digest, at most once — the rule of the survey send stage ("Never twice"): the
 * content is built first, then the ledger row is claimed (pending → sending), then the email goes.
 * Certainly not sent (throttled, refused connection): released and retried. Refused for good: failed.
 * Outcome unknown (a timeout after the request left; or a crash between claim and answer, which the
 * reconciler finds as an old claim): unknown, and never re-sent.
 */
export async function sendDigest(ctx: StageContext, digestId: string): Promise<string> {
  const row = await loadDigest(ctx.db, digestId);
  if (!row) return 'digest no longer exists';
  if (row.status !== 'pending') return `nothing to do: digest is ${row.status}`;
  const def = await ctx.connectors.get(row.connectorId);
  if (!def) return 'connector no longer exists';
  if (!row.recipient) return 'no recipient';
  const openAt = await ctx.gate.openAt(MAIL_GATE);
  if (openAt > Date.now()) throw new RetryLaterError(openAt, 'mail sending is parked (SES daily quota)');

  const email = await buildDigestEmail(ctx, row);
  if (!(await claimDigest(ctx.db, row.id))) return 'claimed by another worker';
  try {
    const { messageId } = await sendInline(ctx, email);
    await finishDigest(ctx.db, row.id, { status: 'sent', messageId });
    ctx.metrics?.mailSends.inc({ result: 'sent' });
    return 'sent';
  } catch (e) {
    const err = e instanceof MailSendError ? e : new MailSendError('ambiguous', (e as Error)?.message ?? String(e));
    ctx.metrics?.mailSends.inc({ result: err.kind });
    switch (err.kind) {
      case 'retryable':
        await releaseDigest(ctx.db, row.id);
        throw err;
      case 'quota':
        await releaseDigest(ctx.db, row.id);
        await ctx.gate.closeUntil(MAIL_GATE, Date.now() + QUOTA_PARK_MS);
        throw new RetryLaterError(Date.now() + QUOTA_PARK_MS, err.message);
      case 'paused':
        await releaseDigest(ctx.db, row.id);
        ctx.logger.fatal({ digestId, code: err.code }, 'ALARM: mail cannot be sent (SES sending paused, account suspended, or bad credentials); the digest waits');
        throw new RetryLaterError(Date.now() + PAUSED_RETRY_MS, err.message);
      case 'permanent':
        await finishDigest(ctx.db, row.id, { status: 'failed', reason: err.message });
        ctx.logger.warn({ digestId, reason: err.message }, 'team digest refused; not retried');
        return `failed: ${err.message}`;
      case 'ambiguous':
        await finishDigest(ctx.db, row.id, { status: 'unknown', reason: `outcome unknown: ${err.message}` });
        ctx.logger.error({ digestId, reason: err.message }, 'team digest outcome unknown; not re-sent');
        return `unknown: ${err.message}`;
    }
  }
}

/** The digest as it would go out now (also the admin preview's source). */
export async function buildDigestEmail(ctx: StageContext, row: Pick<DigestRow, 'id' | 'connectorId' | 'teamKey' | 'teamLabel' | 'periodStart' | 'periodFrom' | 'periodTo' | 'timeZone' | 'locale' | 'recipient'>): Promise<OutgoingEmail> {
  const def = (await ctx.connectors.get(row.connectorId))!;
  const content = await loadDigestContent(
    { reader: dbReader(ctx.db), providers: ctx.digest?.providers ?? defaultDigestProviders, minGroupSize: ctx.digest?.minGroupSize ?? 5, publicUrl: ctx.mail.publicUrl, now: ctx.now() },
    def,
    ctx.runtime.for(def),
    { key: row.teamKey, label: row.teamLabel },
    { start: row.periodStart, from: new Date(row.periodFrom), to: new Date(row.periodTo), timeZone: row.timeZone },
  );
  const rendered = renderDigest(content, row.locale);
  return {
    to: row.recipient ?? '',
    from: { address: def.survey.fromAddress ?? ctx.mail.fromAddress, name: def.survey.fromName ?? ctx.mail.fromName },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: {},
    tags: { digest_id: row.id, connector_id: def.id, kind: 'digest' },
  };
}

async function sendInline(ctx: StageContext, email: OutgoingEmail): Promise<{ messageId: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.mail.transport.send(email);
    } catch (e) {
      if (!(e instanceof MailSendError) || e.kind !== 'retryable' || attempt >= INLINE_ATTEMPTS) throw e;
      await sleep(backoffMs(attempt, 200, 2000));
    }
  }
}
