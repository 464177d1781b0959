import { describe, expect, it } from 'vitest';
import { Gate } from './gate.js';
import { isAbortError } from './reader.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('Gate', () => {
  it('runs at most max at a time, in order of arrival', async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const blockers = [deferred(), deferred(), deferred()];
    const runs = blockers.map((b, i) => gate.run(undefined, async () => (started.push(i), await b.promise, i)));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(1);
    blockers[0]!.resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    blockers[1]!.resolve();
    blockers[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
  });

  it('a request whose client went away leaves the queue without running', async () => {
    const gate = new Gate(1);
    const first = deferred();
    const running = gate.run(undefined, () => first.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = gate.run(controller.signal, async () => void (ran = true));
    expect(gate.queued).toBe(1);
    controller.abort();
    expect(isAbortError(await waiting.catch((e: unknown) => e))).toBe(true);
    expect(gate.queued).toBe(0);
    first.resolve();
    await running;
    expect(ran).toBe(false);
    // The gate is free again.
    expect(await gate.run(undefined, async () => 'next')).toBe('next');
  });
});
