// Email normalisation. A person is identified across connectors by their normalised email, so
// every anti-spam rule (cooldown, cap, suppression, do-not-survey) keys on this function's output:
// two spellings of one mailbox must normalise to the same string.

const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit minus the angle brackets
// Characters that never belong in a bare address we would send to; their presence means the
// input was a list, a display form we could not unwrap, or garbage.
const FORBIDDEN = /[\s<>,;]/;

/**
 * Trim, unwrap `Name <addr>` (or `<addr>`), lowercase, and check the result is plausible:
 * exactly one `@`, non-empty local part, a dotted domain without empty labels, no spaces,
 * at most 254 characters. Returns null for anything else, so callers treat it as "no email".
 *
 * Lowercasing the local part is technically lossy (RFC 5321 lets it be case-sensitive) but no
 * real mail system relies on that, and treating `Jane@X.com` and `jane@x.com` as two people
 * would defeat the cooldown.
 */
export function normaliseEmail(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  let s = raw.trim();
  // `"Doe, Jane" <Jane@Example.com>` → the part inside the last angle brackets.
  const wrapped = /<([^<>]*)>$/.exec(s);
  if (wrapped) s = (wrapped[1] ?? '').trim();
  s = s.toLowerCase();

  if (s.length === 0 || s.length > MAX_EMAIL_LENGTH || FORBIDDEN.test(s)) return null;
  const parts = s.split('@');
  if (parts.length !== 2) return null;
  const [local, domain] = parts as [string, string];
  if (local.length === 0) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0)) return null;
  return s;
}

/** The domain part (after the `@`), lowercased; '' if the string has no `@`. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase();
}
