import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDbConfig } from './config.js';

const good = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/feedback',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'http://localhost:3000/',
  ADMIN_TOKEN: 'a'.repeat(32),
  SECRET_KEY: '0'.repeat(64),
  METRICS_TOKEN: 'm'.repeat(24),
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

  it('takes REDIS_URL as a single node, a Sentinel set or a Cluster, and names it when it is wrong', () => {
    for (const u of ['rediss://u:p@h:6380/1', 'redis+sentinel://s1:26379,s2:26379/mymaster?sentinelPassword=x', 'redis+cluster://h1:7000,h2:7001']) {
      expect(loadConfig({ ...good, REDIS_URL: u }).REDIS_URL).toBe(u);
    }
    expect(problems({ ...good, REDIS_URL: 'redis+sentinel://s1:26379' })).toEqual([{ key: 'REDIS_URL', reason: expect.stringMatching(/master group name/) }]);
    expect(problems({ ...good, REDIS_URL: 'redis+cluster://h1/3' })).toEqual([{ key: 'REDIS_URL', reason: expect.stringMatching(/only database 0/) }]);
  });

  it('reads the old Cluster advice QUEUE_PREFIX={fb} as fb (each queue has its own hash tag)', () => {
    expect(loadConfig({ ...good, QUEUE_PREFIX: '{fb}' }).QUEUE_PREFIX).toBe('fb');
    expect(problems({ ...good, QUEUE_PREFIX: 'a{b}' })).toEqual([{ key: 'QUEUE_PREFIX', reason: expect.stringMatching(/no braces needed/) }]);
  });

  it('accepts a base64 secret key and a role subset', () => {
    const c = loadConfig({ ...good, SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), ROLES: 'worker, worker' });
    expect(c.SECRET_KEY.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(c.ROLES).toEqual(['worker']);
  });

  it('/metrics is never public: a token, or a listener of its own', () => {
    const { METRICS_TOKEN: _, ...noToken } = good;
    expect(problems(noToken)).toEqual([{ key: 'METRICS_TOKEN', reason: expect.stringMatching(/required unless METRICS_PORT/) }]);
    expect(loadConfig({ ...noToken, METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(loadConfig({ ...noToken, ROLES: 'worker' }).METRICS_TOKEN).toBeUndefined();
    expect(problems({ ...good, METRICS_PORT: '3000' })).toEqual([{ key: 'METRICS_PORT', reason: expect.stringMatching(/must differ from PORT/) }]);
  });

  it('reads ITSM_ALLOWED_HOSTS as a list of host patterns and names a bad one', () => {
    expect(loadConfig({ ...good, ITSM_ALLOWED_HOSTS: ' *.service-now.com, acme.atlassian.net ,127.0.0.1:8081' }).ITSM_ALLOWED_HOSTS).toEqual(['*.service-now.com', 'acme.atlassian.net', '127.0.0.1:8081']);
    expect(loadConfig(good).ITSM_ALLOWED_HOSTS).toEqual([]);
    expect(problems({ ...good, ITSM_ALLOWED_HOSTS: 'acme.atlassian.net,https://x.example/' })).toEqual([{ key: 'ITSM_ALLOWED_HOSTS', reason: expect.stringMatching(/"https:\/\/x.example\/" is not a host pattern/) }]);
  });

  it('db-only commands need only the database keys', () => {
    const c = loadDbConfig({ DATABASE_URL: good.DATABASE_URL, SECRET_KEY: good.SECRET_KEY });
    expect(c.DB_POOL_MAX).toBe(10);
  });
});
