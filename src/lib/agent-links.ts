import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signed read-only link for agents to a survey's answers (no login needed, unguessable). */
const sig = (secret: Buffer, surveyId: string) => createHmac('sha256', secret).update(`answers:${surveyId}`).digest('base64url').slice(0, 22);

export const answersUrl = (publicUrl: string, secret: Buffer, surveyId: string) => `${publicUrl}/answers/${surveyId}/${sig(secret, surveyId)}`;

export function verifyAnswersLink(secret: Buffer, surveyId: string, given: string): boolean {
  if (!/^\d{1,18}$/.test(surveyId)) return false;
  const a = Buffer.from(sig(secret, surveyId));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
