import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and uses a fresh IV each time', () => {
    const a = box.seal('{"password":"hunter2"}', 'snow');
    const b = box.seal('{"password":"hunter2"}', 'snow');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.open(a, 'snow')).toBe('{"password":"hunter2"}');
  });

  it('refuses another key, another connector id or a tampered envelope', () => {
    const env = box.seal('x', 'snow');
    expect(() => new SecretBox(randomBytes(32)).open(env, 'snow')).toThrow(/wrong SECRET_KEY/);
    expect(() => box.open(env, 'jira')).toThrow(/wrong SECRET_KEY/);
    const parts = env.split('.');
    parts[3] = Buffer.from('y').toString('base64url');
    expect(() => box.open(parts.join('.'), 'snow')).toThrow();
  });
});
