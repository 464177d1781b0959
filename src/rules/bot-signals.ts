/** User agents of link scanners, previewers and scripts, not of people filling in a form. */
const BOT_UA = /bot|crawl|spider|slurp|preview|scanner|scan\b|safelinks|proofpoint|mimecast|barracuda|curl|wget|python-requests|httpclient|okhttp|go-http-client|java\//i;

export interface SubmitSignals {
  honeypot: string | null | undefined;
  userAgent: string | null | undefined;
  secondsSinceSent: number | null;
  minSecondsAfterSend: number;
}

/** Reasons to distrust a submit; empty means it looks human. Pure, so each signal is unit-tested. */
export function botSignals(s: SubmitSignals): string[] {
  const reasons: string[] = [];
  if (s.honeypot && s.honeypot.trim() !== '') reasons.push('honeypot_filled');
  if (!s.userAgent || s.userAgent.trim() === '') reasons.push('no_user_agent');
  else if (BOT_UA.test(s.userAgent)) reasons.push('bot_user_agent');
  if (s.secondsSinceSent !== null && s.secondsSinceSent < s.minSecondsAfterSend) reasons.push('too_soon_after_send');
  return reasons;
}
