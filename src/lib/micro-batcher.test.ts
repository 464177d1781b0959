import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

/** A batch loader whose batches finish when the test says so. */
function controlled() {
  const batches: string[][] = [];
  const finish: Array<(fail?: Error) => void> = [];
  const batcher = new MicroBatcher<string, string | null>(
    (keys) =>
      new Promise((resolve, reject) => {
        batches.push(keys);
        finish.push((fail) => (fail ? reject(fail) : resolve(new Map(keys.filter((k) => k !== 'gone').map((k) => [k, k.toUpperCase()])))));
      }),
    null,
    3,
    2,
  );
  return { batcher, batches, finish };
}

// The pump runs once the current turn is done; a finished batch frees its slot for the next turn.
const turn = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('starts a lone call in its own turn, takes the calls of one turn together, and batches those arriving while batches run', async () => {
    const { batcher, batches, finish } = controlled();
    const a = batcher.load('a');
    await turn();
    expect(batches).toEqual([['a']]); // alone, without waiting for others
    const b = batcher.load('b');
    await turn();
    expect(batches).toEqual([['a'], ['b']]); // two in flight
    const rest = ['c', 'd', 'c', 'gone', 'e'].map((k) => batcher.load(k));
    await turn();
    expect(batches).toHaveLength(2); // the rest wait for a free slot
    finish[0]!();
    expect(await a).toBe('A');
    await turn();
    await turn();
    expect(batches[2]).toEqual(['c', 'd']); // up to 3 calls, keys asked once
    finish[1]!();
    await b;
    await turn();
    await turn();
    expect(batches[3]).toEqual(['gone', 'e']);
    finish[2]!();
    finish[3]!();
    expect(await Promise.all(rest)).toEqual(['C', 'D', 'C', null, 'E']);
  });

  it('takes the calls made in one turn as one batch', async () => {
    const { batcher, batches, finish } = controlled();
    const all = ['x', 'y', 'z'].map((k) => batcher.load(k));
    await turn();
    expect(batches).toEqual([['x', 'y', 'z']]);
    finish[0]!();
    expect(await Promise.all(all)).toEqual(['X', 'Y', 'Z']);
  });

  it('fails every call of a failed batch, and later calls still run', async () => {
    const { batcher, batches, finish } = controlled();
    batcher.load('x');
    await turn();
    batcher.load('y');
    await turn();
    const failing = [batcher.load('p'), batcher.load('q')];
    finish[0]!();
    await turn();
    await turn();
    expect(batches[2]).toEqual(['p', 'q']);
    finish[2]!(new Error('connection terminated'));
    for (const f of failing) await expect(f).rejects.toThrow('connection terminated');
    finish[1]!();
    const later = batcher.load('z');
    await turn();
    await turn();
    finish[3]!();
    expect(await later).toBe('Z');
  });
});
