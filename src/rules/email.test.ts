import { describe, expect, it } from 'vitest';
import { emailDomain, normaliseEmail } from './email.js';

describe('normaliseEmail', () => {
  it('trims and lowercases', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM \n')).toBe('jane.doe@example.com');
  });

  it('unwraps the "Name <addr>" form, including quoted names with commas', () => {
    expect(normaliseEmail('Jane Doe <Jane@Example.com>')).toBe('jane@example.com');
    expect(normaliseEmail('"Doe, Jane" <jane@example.com>')).toBe('jane@example.com');
    expect(normaliseEmail('<jane@example.com>')).toBe('jane@example.com');
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['   '],
    ['Jane Doe <>'],
    ['jane'],
    ['@example.com'],
    ['jane@'],
    ['jane@localhost'],
    ['jane@@example.com'],
    ['jane@x@example.com'],
    ['jane doe@example.com'],
    ['jane@example..com'],
    ['jane@.example.com'],
    ['jane@example.com.'],
    ['a@example.com, b@example.com'],
    ['a@example.com,b@example.com'],
  ])('rejects %j', (raw) => {
    expect(normaliseEmail(raw)).toBeNull();
  });

  it('accepts 254 characters and rejects 255', () => {
    const domain = '@example.com';
    expect(normaliseEmail('a'.repeat(254 - domain.length) + domain)).toHaveLength(254);
    expect(normaliseEmail('a'.repeat(255 - domain.length) + domain)).toBeNull();
  });

  it('is idempotent', () => {
    const once = normaliseEmail('Jane <JANE@IT.Example.com>');
    expect(normaliseEmail(once)).toBe(once);
  });
});

describe('emailDomain', () => {
  it('returns the lowercased part after the @', () => {
    expect(emailDomain('jane@IT.Example.com')).toBe('it.example.com');
  });
  it("returns '' without an @", () => {
    expect(emailDomain('nobody')).toBe('');
  });
});
