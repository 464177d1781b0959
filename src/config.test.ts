import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDbConfig } from './config.js';

const good = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/feedback',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'http://localhost:3000/',
  ADMIN_TOKEN: 'a'.repeat(32),
  SECRET_KEY: '0'.repeat(64),
};

function problems(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('parses a valid environment with defaults', () => {
    const c = loadConfig(good);
    expect(c.PORT).toBe(3000);
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
    expect(c.ROLES).toEqual(['api', 'worker', 'scheduler']);
    expect(c.SECRET_KEY.length).toBe(32);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every missing variable', () => {
    const keys = problems({}).map((p) => p.key).sort();
    expect(keys).toEqual(['ADMIN_TOKEN', 'DATABASE_URL', 'PUBLIC_URL', 'REDIS_URL', 'SECRET_KEY']);
    expect(problems({}).every((p) => p.reason === 'is required')).toBe(true);
  });

  it('turns prepared statements off only when asked, and explains a wrong value', () => {
    expect(loadConfig(good).DB_PREPARED_STATEMENTS).toBe(true);
    expect(loadConfig({ ...good, DB_PREPARED_STATEMENTS: 'false' }).DB_PREPARED_STATEMENTS).toBe(false);
    expect(problems({ ...good, DB_PREPARED_STATEMENTS: 'no' })).toEqual([{ key: 'DB_PREPARED_STATEMENTS', reason: 'must be true or false' }]);
  });

  it('treats blank values as missing', () => {
    expect(problems({ ...good, ADMIN_TOKEN: '  ' })).toEqual([{ key: 'ADMIN_TOKEN', reason: 'is required' }]);
  });

  it('explains wrong values', () => {
    const p = problems({ ...good, SECRET_KEY: 'short', PORT: 'abc', ROLES: 'api,wrker', REDIS_URL: 'http://x' });
    const byKey = Object.fromEntries(p.map((x) => [x.key, x.reason]));
    expect(byKey.SECRET_KEY).toMatch(/32 random bytes/);
    expect(byKey.PORT).toMatch(/whole number/);
    expect(byKey.ROLES).toMatch(/wrker/);
    expect(byKey.REDIS_URL).toMatch(/redis:\/\//);
  });

  it('accepts a base64 secret key and a role subset', () => {
    const c = loadConfig({ ...good, SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), ROLES: 'worker, worker' });
    expect(c.SECRET_KEY.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(c.ROLES).toEqual(['worker']);
  });

  it('db-only commands need only the database keys', () => {
    const c = loadDbConfig({ DATABASE_URL: good.DATABASE_URL, SECRET_KEY: good.SECRET_KEY });
    expect(c.DB_POOL_MAX).toBe(10);
  });
});
