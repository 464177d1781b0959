import { describe, expect, it } from 'vitest';
import { FormSigner, hashToken, looksLikeToken, newToken } from './tokens.js';

describe('tokens', () => {
  it('are 32 random bytes in base64url with a SHA-256 hash', () => {
    const a = newToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.hash.equals(hashToken(a.token))).toBe(true);
    expect(newToken().token).not.toBe(a.token);
    expect(looksLikeToken(a.token)).toBe(true);
    expect(looksLikeToken(`${a.token}x`)).toBe(false);
    expect(looksLikeToken('../../etc/passwd')).toBe(false);
  });

  it('form signatures bind a subject and expire', () => {
    const s = new FormSigner(Buffer.alloc(32, 1), 1000);
    const sig = s.sign('survey:1', 5000);
    expect(s.verify('survey:1', sig, 5500)).toBe(true);
    expect(s.verify('survey:2', sig, 5500)).toBe(false);
    expect(s.verify('survey:1', sig, 6001)).toBe(false);
    expect(new FormSigner(Buffer.alloc(32, 2), 1000).verify('survey:1', sig, 5500)).toBe(false);
    expect(s.verify('survey:1', 'garbage', 5500)).toBe(false);
    expect(s.verify('survey:1', undefined, 5500)).toBe(false);
  });
});
