import { afterAll, describe, expect, it } from 'vitest';
import { RedisFactory } from '../src/redis/factory.js';
import { deleteKeys } from '../src/redis/keys.js';
import { REDIS_URL } from './support/env.js';

/** The factory against the local Redis (and addresses where nothing listens). */
describe('RedisFactory', () => {
  const factory = new RedisFactory(REDIS_URL);
  afterAll(() => factory.closeAll());

  it('probe(): resolves when Redis answers; otherwise one message naming REDIS_URL and the address, and no connection left open', async () => {
    await expect(factory.probe()).resolves.toBeUndefined();
    await expect(new RedisFactory('redis://127.0.0.1:1').probe(2000)).rejects.toThrow(/^Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\) is not reachable: .*ECONNREFUSED/);
    await expect(new RedisFactory('redis+cluster://127.0.0.1:1,127.0.0.1:2').probe(2000)).rejects.toThrow(/^Redis at redis\+cluster:\/\/127\.0\.0\.1:1,127\.0\.0\.1:2 \(REDIS_URL\) is not reachable/);
    await expect(new RedisFactory('redis+sentinel://127.0.0.1:1/mymaster').probe(2000)).rejects.toThrow(/^Redis at redis\+sentinel:\/\/127\.0\.0\.1:1\/mymaster \(REDIS_URL\) is not reachable/);
  });

  it('deleteKeys removes what matches and nothing else', async () => {
    const c = factory.create({ kind: 'test' });
    const p = `fbtfactory${process.pid}`;
    await c.set(`${p}:a`, '1');
    await c.set(`${p}:{q}:b`, '1');
    await c.set(`${p}x:c`, '1');
    expect(await deleteKeys(c, `${p}:*`)).toBe(2);
    expect(await c.exists(`${p}x:c`)).toBe(1);
    await c.del(`${p}x:c`);
  });
});
