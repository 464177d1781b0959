/** Fault injection behaviour both simulators share; ITSM-specific headers and bodies are tested in each ITSM's faults.test.ts. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './faults.js';
import { SIMS } from './test-targets.js';

describe('mulberry32', () => {
  it('is deterministic per seed and uniform in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe.each(SIMS)('$itsm faults', ({ fixture, probe }) => {
  it('answers 429 with Retry-After and a numeric X-RateLimit-Limit; a first 429 is no violation', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const r = await f.get(probe);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.headers['x-ratelimit-limit']).toMatch(/^\d+$/);
    expect(f.sim.stats().rateLimitViolations).toBe(0);
  });

  it('counts a request made before Retry-After elapsed as a violation and answers 429 again', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    expect((await f.get(probe)).status).toBe(429);
    f.sim.setFaults({ rate429: 0 });
    const again = await f.get(probe);
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('1');
    expect(f.sim.stats().rateLimitViolations).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await f.get(probe)).status).toBe(200);
    expect(f.sim.stats().rateLimitViolations).toBe(1);
    expect(f.sim.stats().status).toEqual({ '429': 2, '200': 1 });
  });

  it('answers 500 at rate500', async () => {
    const f = fixture();
    f.sim.setFaults({ rate500: 1 });
    expect((await f.get(probe)).status).toBe(500);
  });

  it('never applies to /sim/*', async () => {
    const f = fixture();
    f.sim.setFaults({ rate500: 1 });
    expect((await f.sim.app.inject({ method: 'GET', url: '/sim/stats' })).statusCode).toBe(200);
  });

  it('is reproducible for a seed and roughly honours the rate', async () => {
    const pattern = async (seedValue: number) => {
      const f = fixture(seedValue);
      f.sim.setFaults({ rate500: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 60; i++) out.push((await f.get(probe)).status);
      return out;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    const errors = a.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(35);
  });

  it('adds latency within latencyMs', async () => {
    const f = fixture();
    f.sim.setFaults({ latencyMs: [60, 80] });
    const t0 = Date.now();
    expect((await f.get(probe)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
