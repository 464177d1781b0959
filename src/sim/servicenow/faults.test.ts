import { describe, expect, it } from 'vitest';
import { mulberry32 } from './faults.js';
import { fixture, seed } from './test-support.js';

describe('faults', () => {
  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('answers 429 with Retry-After and X-RateLimit-* headers and the ServiceNow error body', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const before = Math.floor(Date.now() / 1000);
    const r = await f.get('/api/now/table/incident');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.headers['x-ratelimit-limit']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-rule']).toBeTruthy();
    const reset = Number(r.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(before + 30);
    expect(reset).toBeLessThanOrEqual(before + 32);
    expect(r.body).toMatchObject({ error: { message: 'Rate limit exceeded' }, status: 'failure' });
    expect(f.sim.stats().rateLimitViolations).toBe(0);
  });

  it('counts a request made before Retry-After elapsed as a violation and answers 429 with the remaining time', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 1 });
    expect((await f.get('/api/now/table/incident')).status).toBe(429);
    f.sim.setFaults({ rate429: 0 });
    const again = await f.get('/api/now/table/incident');
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('1');
    expect(f.sim.stats().rateLimitViolations).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await f.get('/api/now/table/incident')).status).toBe(200);
    expect(f.sim.stats().rateLimitViolations).toBe(1);
    expect(f.sim.stats().status).toEqual({ '429': 2, '200': 1 });
  });

  it('answers 500 with the simulated error body', async () => {
    const f = fixture();
    f.sim.setFaults({ rate500: 1 });
    const r = await f.get('/api/now/table/incident');
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { message: 'Internal server error', detail: 'simulated' }, status: 'failure' });
  });

  it('a faulted PATCH or POST writes nothing', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const id = incidents[0]!.sys_id!;
    f.sim.setFaults({ rate500: 1 });
    expect((await f.send('PATCH', `/api/now/table/incident/${id}`, { work_notes: 'note', category: 'x' })).status).toBe(500);
    f.sim.setFaults({ rate500: 0, rate429: 1, retryAfterSeconds: 0 });
    expect((await f.send('POST', '/api/now/table/incident_task', { incident: id, short_description: 'x' })).status).toBe(429);
    expect(f.sim.table('sys_journal_field')).toEqual([]);
    expect(f.sim.table('incident_task')).toEqual([]);
    expect(f.sim.table('incident')[0]).toMatchObject({ category: 'hardware', sys_mod_count: '0' });
  });

  it('applies to /oauth_token.do but never to /sim/*', async () => {
    const f = fixture();
    f.sim.setFaults({ rate500: 1 });
    const t = await f.sim.app.inject({ method: 'POST', url: '/oauth_token.do', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=feedback-client&client_secret=feedback-secret' });
    expect(t.statusCode).toBe(500);
    expect((await f.sim.app.inject({ method: 'GET', url: '/sim/stats' })).statusCode).toBe(200);
    expect((await f.sim.app.inject({ method: 'GET', url: '/sim/tables/incident' })).statusCode).toBe(200);
  });

  it('is reproducible for a seed and roughly honours the rate', async () => {
    const pattern = async (seedValue: number) => {
      const f = fixture({ seed: seedValue });
      f.sim.setFaults({ rate500: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 60; i++) out.push((await f.get('/api/now/table/incident')).status);
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
    expect((await f.get('/api/now/table/incident')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
