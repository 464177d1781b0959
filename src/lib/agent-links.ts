import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed read-only link for agents to a survey's answers (no login needed, unguessable), written into
 * the ticket note and the follow-up task. It carries its expiry, signed with it:
 * `/answers/<survey>/<expiry, base-36 epoch seconds>.<signature>`; after that instant (or with any other
 * signature) it answers the same 404 as a link that never existed. Links without an expiry, as written
 * by versions before it had one, no longer open.
 */
export const DEFAULT_AGENT_LINK_TTL_DAYS = 90;

const sig = (secret: Buffer, surveyId: string, expiresAtSeconds: number) => createHmac('sha256', secret).update(`answers:${surveyId}:${expiresAtSeconds}`).digest('base64url').slice(0, 22);

export function answersUrl(publicUrl: string, secret: Buffer, surveyId: string, opts: { now?: Date; ttlDays?: number } = {}): string {
  const from = (opts.now ?? new Date()).getTime();
  const expiresAt = Math.floor(from / 1000) + (opts.ttlDays ?? DEFAULT_AGENT_LINK_TTL_DAYS) * 86_400;
  return `${publicUrl}/answers/${surveyId}/${expiresAt.toString(36)}.${sig(secret, surveyId, expiresAt)}`;
}

export function verifyAnswersLink(secret: Buffer, surveyId: string, given: string, now: Date = new Date()): boolean {
  if (!/^\d{1,18}$/.test(surveyId)) return false;
  const m = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/.exec(given);
  if (!m) return false;
  const expiresAt = parseInt(m[1]!, 36);
  const a = Buffer.from(sig(secret, surveyId, expiresAt));
  const b = Buffer.from(m[2]!);
  return timingSafeEqual(a, b) && expiresAt * 1000 > now.getTime();
}
