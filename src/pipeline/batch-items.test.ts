import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { RetryLaterError } from '../lib/retry.js';
import { Semaphore } from '../lib/semaphore.js';
import { runBatchItems } from './batch-items.js';
import type { StageContext } from './context.js';

const ctx = { logger: createLogger('silent') } as unknown as StageContext;

describe('runBatchItems', () => {
  it('runs every item as its own job would, and hands one that must wait or failed to a job of its own', async () => {
    const handed: Array<[string, number]> = [];
    const until = Date.now() + 60_000;
    const r = await runBatchItems(ctx, 'test', ['a', 'b', 'c'], new Semaphore(2), async (id) => {
      if (id === 'b') throw new RetryLaterError(until, 'claimed elsewhere');
      if (id === 'c') throw new Error('ITSM 500');
      return 'done';
    }, async (id, delay) => void handed.push([id, delay]));
    expect(r).toEqual({ done: 1, handedOff: 2 });
    expect(handed.map(([id]) => id).sort()).toEqual(['b', 'c']);
    expect(handed.find(([id]) => id === 'b')![1]).toBeGreaterThan(55_000);
    expect(handed.find(([id]) => id === 'c')![1]).toBe(0);
  });

  it('starts no more items once the process is stopping, and comes back later for them', async () => {
    let stopping = false;
    const started: string[] = [];
    const run = runBatchItems(ctx, 'test', ['a', 'b', 'c', 'd'], new Semaphore(1), async (id) => {
      started.push(id);
      stopping = true; // the shutdown begins while the first item runs
      return 'done';
    }, async () => {}, () => stopping);
    await expect(run).rejects.toBeInstanceOf(RetryLaterError);
    expect(started).toEqual(['a']);
  });
});
