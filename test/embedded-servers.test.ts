import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerReachable } from '../src/embedded/docker-containers.js';
import { Lifecycle } from '../src/embedded/lifecycle.js';
import { NoRedisAvailable, PROJECT_DATA_DIR, provideDependencies } from '../src/embedded/provide.js';

/** The demo's and the tests' own servers: started when asked, usable, and gone after stopAll. */
const DIR = path.join(PROJECT_DATA_DIR, `test-embedded-${process.pid}`);
afterAll(() => rm(DIR, { recursive: true, force: true }));
const DOCKER = await dockerReachable();

const portOf = (url: string) => Number(new URL(url).port);
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('provideDependencies', () => {
  it('starts an embedded Postgres and a private redis-server when forced, and stopAll leaves no port open', async () => {
    const lines: string[] = [];
    const lifecycle = new Lifecycle(() => {});
    const deps = await provideDependencies({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/feedback',
      redisUrl: 'redis://127.0.0.1:6379',
      forcedBy: '--embedded',
      prefer: 'embedded',
      dataDir: DIR,
      throwaway: true,
      say: (l) => lines.push(l),
      lifecycle,
    });
    try {
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^Postgres: --embedded given; started an embedded Postgres \(data in .*postgres\) at postgres:\/\/postgres@127\.0\.0\.1:\d+\/feedback$/);
      expect(lines[1]).toMatch(/^Redis: --embedded given; started a private redis-server at redis:\/\/127\.0\.0\.1:\d+$/);
      expect(portOf(deps.databaseUrl)).not.toBe(5432);
      // The database named in the configured URL is kept; the server is a real Postgres 15.
      const admin = new pg.Client({ connectionString: deps.databaseUrl.replace(/\/feedback$/, '/postgres') });
      await admin.connect();
      expect((await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v).toMatch(/^15\./);
      await admin.end();
      const redis = new Redis(deps.redisUrl);
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      await redis.quit();
    } finally {
      await lifecycle.stopAll();
    }
    expect(await listening(portOf(deps.databaseUrl))).toBe(false);
    expect(await listening(portOf(deps.redisUrl))).toBe(false);
    expect(existsSync(path.join(DIR, 'postgres', 'data', 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(DIR, 'redis', 'redis.pid'))).toBe(false);
  });

  it.skipIf(DOCKER)('without redis-server and Docker: one message naming the three ways, and the Postgres it had started is stopped', async () => {
    const lifecycle = new Lifecycle(() => {});
    const said: string[] = [];
    const attempt = provideDependencies({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/feedback',
      redisUrl: 'redis://127.0.0.1:1',
      prefer: 'embedded',
      dataDir: DIR,
      throwaway: true,
      say: (l) => said.push(l),
      lifecycle,
      redisServer: 'redis-server-not-installed-fb',
    });
    const error = await attempt.then(() => null, (e: unknown) => e);
    await lifecycle.stopAll();
    expect(error).toBeInstanceOf(NoRedisAvailable);
    expect((error as Error).message).toBe(
      'nothing answers at REDIS_URL=redis://127.0.0.1:1, and no Redis can be started here: install redis-server (apt install redis-server, brew install redis), start Docker (a Redis container is then started for you), or set REDIS_URL to a running Redis.',
    );
    const pgUrl = said.find((l) => l.startsWith('Postgres:'))!.split(' at ').pop()!;
    expect(await listening(portOf(pgUrl))).toBe(false);
  });
});
