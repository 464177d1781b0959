import { describe, expect, it } from 'vitest';
import { mulberry32 } from './faults.js';
import { adf, fixture, seed } from './test-support.js';

describe('faults', () => {
  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
  });

  it('429 carries Retry-After, X-RateLimit-* and RateLimit-Reason', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const before = Date.now();
    const r = await f.get('/rest/api/3/myself');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.headers['x-ratelimit-limit']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-remaining']).toBe('0');
    expect(r.headers['ratelimit-reason']).toBe('jira-burst-based');
    const reset = Date.parse(String(r.headers['x-ratelimit-reset']));
    expect(String(r.headers['x-ratelimit-reset'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(reset).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 29_000);
    expect(reset).toBeLessThanOrEqual(before + 31_000);
    expect(r.body.errorMessages).toBeDefined();
    expect(f.sim.stats().rateLimitViolations).toBe(0);
  });

  it('a request before Retry-After elapsed is a violation and gets 429 again', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    expect((await f.get('/rest/api/3/myself')).status).toBe(429);
    f.sim.setFaults({ rate429: 0 });
    const again = await f.get('/rest/api/3/myself');
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('1');
    expect(f.sim.stats().rateLimitViolations).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await f.get('/rest/api/3/myself')).status).toBe(200);
    expect(f.sim.stats().status).toEqual({ '429': 2, '200': 1 });
  });

  it('503 with Retry-After; 500', async () => {
    const f = fixture();
    f.sim.setFaults({ rate503: 1, retryAfterSeconds: 5 });
    const r = await f.get('/rest/api/3/myself');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    f.sim.setFaults({ rate503: 0, rate500: 1 });
    expect((await f.get('/rest/api/3/myself')).status).toBe(500);
  });

  it('a faulted write changes nothing', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const key = issues[0]!.key;
    f.sim.setFaults({ rate500: 1 });
    expect((await f.send('POST', `/rest/api/3/issue/${key}/comment`, { body: adf('x') })).status).toBe(500);
    expect((await f.send('PUT', `/rest/api/3/issue/${key}/properties/csat`, { score: 1 })).status).toBe(500);
    f.sim.setFaults({ rate500: 0, rate429: 1, retryAfterSeconds: 0 });
    expect((await f.send('POST', '/rest/api/3/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' }, summary: 'x' } })).status).toBe(429);
    f.sim.setFaults({ rate429: 0, rate503: 1 });
    expect((await f.send('POST', `/rest/servicedeskapi/request/${key}/comment`, { body: 'x', public: false })).status).toBe(503);
    expect(f.sim.comments(key)).toEqual([]);
    expect(f.sim.properties(key)).toEqual({});
    expect(f.sim.issues()).toHaveLength(1);
  });

  it('never applies to /sim/*; reproducible for a seed', async () => {
    const f = fixture();
    f.sim.setFaults({ rate500: 1 });
    expect((await f.sim.app.inject({ method: 'GET', url: '/sim/stats' })).statusCode).toBe(200);
    const pattern = async (seedValue: number) => {
      const g = fixture({ seed: seedValue });
      g.sim.setFaults({ rate500: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await g.get('/rest/api/3/myself')).status);
      return out;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
  });

  it('adds latency within latencyMs', async () => {
    const f = fixture();
    f.sim.setFaults({ latencyMs: [60, 80] });
    const t0 = Date.now();
    expect((await f.get('/rest/api/3/myself')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
