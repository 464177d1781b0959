import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../src/db/admin.js';
import { PG_BASE, REDIS_URL } from './support/env.js';
import { freePort } from './support/free-port.js';
import { spawnMain } from './support/process.js';

/**
 * The real CLI, started against a port where nothing listens: one line that names the variable and
 * the address (never the password) and says what to do, then exit 1 — no stack trace, no retry loop.
 */
const BASE_ENV = {
  PUBLIC_URL: 'http://127.0.0.1:3000',
  ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
  METRICS_TOKEN: 'test-metrics-token-0123456789',
  SECRET_KEY: '0000000000000000000000000000000000000000000000000000000000000000',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
};

/** A database on the test server that the check stops us from creating (dropped at the end in case it was). */
const UNUSED_DATABASE = (() => {
  const url = new URL(PG_BASE);
  url.pathname = `/fb_test_unused_${randomBytes(4).toString('hex')}`;
  return url.toString();
})();
afterAll(() => dropDatabase(UNUSED_DATABASE));

async function run(args: string[], env: Record<string, string>) {
  const p = spawnMain(args, { ...BASE_ENV, ...env });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 45_000); // a process that keeps retrying fails the test
  const { code } = await p.exited;
  clearTimeout(timer);
  return { code, lines: p.output().trim().split('\n') };
}

describe('start-up with a dependency that does not answer', () => {
  it('serve: Postgres down → one line naming DATABASE_URL and its address without the password, exit 1', async () => {
    const port = await freePort();
    const { code, lines } = await run(['serve'], { DATABASE_URL: `postgres://feedback:s3cret-pw@127.0.0.1:${port}/feedback`, REDIS_URL });
    expect(lines).toEqual([
      `cannot reach Postgres at DATABASE_URL=postgres://feedback@127.0.0.1:${port}/feedback (connection refused). Start Postgres there, or set DATABASE_URL to a server that is running.`,
    ]);
    expect(code).toBe(1);
  });

  it('work: Redis down → one line naming REDIS_URL, exit 1 (not a flood of worker errors)', async () => {
    const port = await freePort();
    const { code, lines } = await run(['work'], { DATABASE_URL: UNUSED_DATABASE, REDIS_URL: `redis://:redis-pw@127.0.0.1:${port}` });
    expect(lines).toEqual([`cannot reach Redis at REDIS_URL=redis://127.0.0.1:${port} (connection refused). Start Redis there, or set REDIS_URL to a server that is running.`]);
    expect(code).toBe(1);
  });

  it('serve: both down → one line for each', async () => {
    const [pgPort, redisPort] = [await freePort(), await freePort()];
    const { code, lines } = await run(['serve'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/feedback`, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^cannot reach Postgres at DATABASE_URL=/);
    expect(lines[1]).toMatch(/^cannot reach Redis at REDIS_URL=/);
    expect(code).toBe(1);
  });

  it('migrate and connectors list: Postgres down → the same single line', async () => {
    const port = await freePort();
    for (const args of [['migrate'], ['connectors', 'list']]) {
      const { code, lines } = await run(args, { DATABASE_URL: `postgres://postgres:pw@127.0.0.1:${port}/feedback` });
      expect(lines, args.join(' ')).toEqual([
        `cannot reach Postgres at DATABASE_URL=postgres://postgres@127.0.0.1:${port}/feedback (connection refused). Start Postgres there, or set DATABASE_URL to a server that is running.`,
      ]);
      expect(code).toBe(1);
    }
  });

  it('a server that answers but refuses the login is named as such', async () => {
    const url = new URL(PG_BASE);
    url.username = 'no_such_role_fb';
    url.password = 'wrong';
    const { code, lines } = await run(['migrate'], { DATABASE_URL: url.toString() });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Postgres at DATABASE_URL=postgres:\/\/no_such_role_fb@.* refused us: .*no_such_role_fb.*\. Fix the user, password or TLS settings in DATABASE_URL\.$/);
    expect(lines[0]).not.toContain('wrong');
    expect(code).toBe(1);
  });
});
