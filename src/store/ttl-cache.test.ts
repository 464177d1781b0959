import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  let clock = 0;
  const now = () => clock;
  const counting = () => {
    let loads = 0;
    return { load: async () => ({ n: ++loads, nested: { k: 'v' } }), count: () => loads };
  };

  it('loads once per TTL, again after it, and at once after an invalidation', async () => {
    const cache = new TtlCache<{ n: number }>(2000, now);
    const c = counting();
    clock = 0;
    expect((await cache.get('a', c.load)).n).toBe(1);
    clock = 1999;
    expect((await cache.get('a', c.load)).n).toBe(1);
    clock = 2000;
    expect((await cache.get('a', c.load)).n).toBe(2);
    cache.invalidate('a');
    expect((await cache.get('a', c.load)).n).toBe(3);
    expect(c.count()).toBe(3);
  });

  it('shares one load between concurrent callers, unless a caller must not wait for another', async () => {
    const cache = new TtlCache<{ n: number }>(2000, now);
    const c = counting();
    const [x, y] = await Promise.all([cache.get('a', c.load), cache.get('a', c.load)]);
    expect([x.n, y.n, c.count()]).toEqual([1, 1, 1]);
    cache.invalidate();
    const pending = cache.get('a', c.load);
    const own = cache.get('a', c.load, { joinPending: false });
    expect([(await pending).n, (await own).n]).toEqual([2, 3]);
    // Once settled, a value is shared with such callers too.
    expect((await cache.get('a', c.load, { joinPending: false })).n).toBe(3);
  });

  it('does not keep a failed load, and freezes what it keeps', async () => {
    const cache = new TtlCache<{ n: number; nested: { k: string } }>(2000, now);
    await expect(cache.get('a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const v = await cache.get('a', async () => ({ n: 1, nested: { k: 'v' } }));
    expect(v.n).toBe(1);
    expect(() => {
      (v.nested as { k: string }).k = 'changed';
    }).toThrow(TypeError);
  });

  it('caches nothing with a TTL of 0', async () => {
    const cache = new TtlCache<{ n: number }>(0, now);
    const c = counting();
    await cache.get('a', c.load);
    await cache.get('a', c.load);
    expect(c.count()).toBe(2);
  });

  it('holds at most maxEntries, dropping the oldest load first', async () => {
    clock = 0;
    const cache = new TtlCache<{ n: number }>(60_000, now, { maxEntries: 100 });
    for (let i = 0; i < 5000; i++) {
      clock++;
      await cache.get(`k${i}`, async () => ({ n: i }));
    }
    expect(cache.size).toBe(100);
    // The newest are the ones kept.
    const c = counting();
    await cache.get('k4999', c.load);
    await cache.get('k0', c.load);
    expect(c.count()).toBe(1);
  });

  it('removes expired entries on the next call, not only ignores them', async () => {
    clock = 0;
    const cache = new TtlCache<{ n: number }>(2000, now);
    for (let i = 0; i < 500; i++) await cache.get(`k${i}`, async () => ({ n: i }));
    expect(cache.size).toBe(500);
    clock = 2000;
    await cache.get('fresh', async () => ({ n: -1 }));
    expect(cache.size).toBe(1);
  });

  it('shares but does not keep values that keep() refuses', async () => {
    clock = 0;
    const cache = new TtlCache<{ n: number } | null>(2000, now, { keep: (v) => v !== null });
    let loads = 0;
    const miss = async () => (loads++, null);
    const [a, b] = await Promise.all([cache.get('x', miss), cache.get('x', miss)]);
    expect([a, b, loads]).toEqual([null, null, 1]);
    expect(cache.size).toBe(0);
    await cache.get('x', miss);
    expect(loads).toBe(2);
  });
});
