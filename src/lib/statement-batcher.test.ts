import { describe, expect, it } from 'vitest';
import { StatementBatcher } from './statement-batcher.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('StatementBatcher', () => {
  it('runs a lone item in its turn and the items submitted meanwhile as one batch, each getting its own result', async () => {
    const batches: number[][] = [];
    const release: Array<() => void> = [];
    const b = new StatementBatcher<number, number>(
      (items) =>
        new Promise((resolve) => {
          batches.push(items);
          release.push(() => resolve(items.map((i) => i * 10)));
        }),
      10,
      1,
    );
    const first = b.submit(1);
    await tick();
    const rest = [2, 3, 4].map((i) => b.submit(i));
    await tick();
    expect(batches).toEqual([[1]]);
    release[0]!();
    expect(await first).toBe(10);
    await tick();
    await tick();
    expect(batches[1]).toEqual([2, 3, 4]);
    release[1]!();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('runs each item of a failed batch alone, so that one bad item fails only its own caller', async () => {
    const batches: string[][] = [];
    const b = new StatementBatcher<string, string>(async (items) => {
      batches.push(items);
      if (items.includes('bad')) throw new Error(`refused: ${items.join(',')}`);
      return items.map((i) => i.toUpperCase());
    }, 10, 1);
    const blocker = b.submit('a');
    await tick();
    const results = ['b', 'bad', 'c'].map((i) => b.submit(i).catch((e: Error) => e.message));
    await blocker;
    expect(await Promise.all(results)).toEqual(['B', 'refused: bad', 'C']);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('refuses a batch function that loses results', async () => {
    const b = new StatementBatcher<number, number>(async () => [], 10, 1);
    await expect(b.submit(1)).rejects.toThrow('0 results for 1 items');
  });
});
