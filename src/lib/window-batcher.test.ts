import { describe, expect, it } from 'vitest';
import { WindowBatcher } from './window-batcher.js';

describe('WindowBatcher', () => {
  it('hands the items of one window to flush together, per key, and resolves their callers after it', async () => {
    const flushed: Array<[string, number[]]> = [];
    const b = new WindowBatcher<string, number>(async (k, items) => void flushed.push([k, items]), 30, 10);
    const calls = [b.add('a', 1), b.add('b', 2), b.add('a', 3)];
    expect(flushed).toEqual([]);
    await Promise.all(calls);
    expect(flushed.sort()).toEqual([['a', [1, 3]], ['b', [2]]]);
    await b.add('a', 4);
    expect(flushed.at(-1)).toEqual(['a', [4]]);
  });

  it('flushes a full group at once, without waiting for its window', async () => {
    const flushed: number[][] = [];
    const b = new WindowBatcher<string, number>(async (_k, items) => void flushed.push(items), 60_000, 2);
    await Promise.all([b.add('k', 1), b.add('k', 2)]);
    expect(flushed).toEqual([[1, 2]]);
  });

  it('flushes every open group at shutdown', async () => {
    const flushed: number[][] = [];
    const b = new WindowBatcher<string, number>(async (_k, items) => void flushed.push(items), 60_000, 10);
    const pending = [b.add('a', 1), b.add('b', 2)];
    await b.flushAll();
    expect(flushed).toEqual([[1], [2]]);
    await Promise.all(pending);
  });

  it('fails the callers of a group whose flush failed, not the next group', async () => {
    let fail = true;
    const b = new WindowBatcher<string, number>(async () => {
      if (fail) throw new Error('redis away');
    }, 5, 10);
    await expect(Promise.all([b.add('k', 1), b.add('k', 2)])).rejects.toThrow('redis away');
    fail = false;
    await expect(b.add('k', 3)).resolves.toBeUndefined();
  });
});
