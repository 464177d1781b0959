import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters). Only the SHA-256 is ever stored. */
export function newToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Cheap shape check before any lookup: anything else is answered 404 without touching the database. */
export const looksLikeToken = (s: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(s);

/**
 * Stateless CSRF token for a form bound to one survey: "<issuedAt>.<hmac>". The survey token in the
 * URL is already a capability; this ties each POST to a page we rendered, within `maxAgeMs`.
 */
export class FormSigner {
  private readonly key: Buffer;
  constructor(secret: Buffer, private readonly maxAgeMs = 24 * 3600_000) {
    this.key = createHmac('sha256', secret).update('form-signing-v1').digest();
  }

  sign(subject: string, nowMs = Date.now()): string {
    return `${nowMs}.${this.mac(subject, nowMs)}`;
  }

  verify(subject: string, value: unknown, nowMs = Date.now()): boolean {
    if (typeof value !== 'string') return false;
    const [ts, mac] = value.split('.');
    const issued = Number(ts);
    if (!mac || !Number.isSafeInteger(issued) || nowMs - issued > this.maxAgeMs || issued - nowMs > 60_000) return false;
    const expected = Buffer.from(this.mac(subject, issued));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(subject: string, issued: number): string {
    return createHmac('sha256', this.key).update(`${subject}.${issued}`).digest('base64url');
  }
}
