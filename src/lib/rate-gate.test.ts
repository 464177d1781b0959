import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, waitFor } from '../../test/support/env.js';
import { RedisFactory } from '../redis/factory.js';
import { RedisRateGate } from './rate-gate.js';

// Real Redis: two gates with one prefix stand for two processes.
// (Typed as one node for the counting proxy below; the gate takes any client of the factory.)
const redis = new RedisFactory(REDIS_URL).create({ kind: 'test' }) as Redis;
const prefix = `fbtest-gate-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await deleteKeys(redis, `${prefix}:*`);
  await redis.quit();
});

function countingGets(r: Redis): { redis: Redis; gets: () => number } {
  let n = 0;
  const proxy = new Proxy(r, {
    get(target, prop, receiver) {
      if (prop === 'get') return (...args: Parameters<Redis['get']>) => (n++, target.get(...args));
      return Reflect.get(target, prop, receiver);
    },
  });
  return { redis: proxy, gets: () => n };
}

describe('RedisRateGate', () => {
  it('a closure made by one process holds in another once its short read cache expires', async () => {
    const a = new RedisRateGate(redis, prefix, 100);
    const b = new RedisRateGate(redis, prefix, 100);
    expect(await b.openAt('itsm-1')).toBe(0); // b has now read "open"
    const until = Date.now() + 60_000;
    await a.closeUntil('itsm-1', until);
    expect(await a.openAt('itsm-1')).toBe(until); // the closing process knows at once
    await waitFor('b to see the closure', async () => (await b.openAt('itsm-1')) === until, 5_000, 20);
    // Never shortened by a later, shorter closure.
    await b.closeUntil('itsm-1', until - 30_000);
    expect(await new RedisRateGate(redis, prefix, 0).openAt('itsm-1')).toBe(until);
  });

  it('a process sees its own closure at once, whatever its cached read of the shared gate says', async () => {
    const gate = new RedisRateGate(redis, prefix, 60_000);
    expect(await gate.openAt('itsm-own')).toBe(0); // cached "open" for a minute
    const until = Date.now() + 5_000;
    const closing = gate.closeUntil('itsm-own', until);
    expect(gate.knownOpenAt('itsm-own')).toBe(until); // synchronously, before Redis has even answered
    await closing;
    expect(await gate.openAt('itsm-own')).toBe(until);
  });

  it('concurrent callers share one Redis read, and reads repeat only after the cache period', async () => {
    const { redis: counted, gets } = countingGets(redis);
    const gate = new RedisRateGate(counted, prefix, 60_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => gate.openAt('itsm-2')));
    expect(results.every((v) => v === 0)).toBe(true);
    expect(gets()).toBe(1);
    await gate.openAt('itsm-2');
    await gate.openAt('other');
    expect(gets()).toBe(2);
    const fresh = new RedisRateGate(counted, prefix, 0);
    await fresh.openAt('itsm-2');
    await fresh.openAt('itsm-2');
    expect(gets()).toBe(4);
  });

  it('acquire admits perSecond calls per second across processes', async () => {
    const a = new RedisRateGate(redis, prefix);
    const b = new RedisRateGate(redis, prefix);
    // Start at the beginning of a second so the window does not roll over mid-test.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const second = Math.floor(Date.now() / 1000);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).acquire('itsm-3', 4).then(() => at.push(Math.floor(Date.now() / 1000)))));
    expect(at.filter((s) => s === second)).toHaveLength(4);
    expect(at.filter((s) => s > second)).toHaveLength(2);
  });
});
