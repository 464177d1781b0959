/** ServiceNow's fault answers and which routes are faulted; the behaviour both simulators share is in ../common/faults.test.ts. */
import { describe, expect, it } from 'vitest';
import { fixture, seed } from './test-support.js';

describe('faults', () => {
  it('answers 429 with X-RateLimit-Reset in epoch seconds, X-RateLimit-Rule and the ServiceNow error body', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const before = Math.floor(Date.now() / 1000);
    const r = await f.get('/api/now/table/incident');
    expect(r.status).toBe(429);
    expect(r.headers['x-ratelimit-rule']).toBeTruthy();
    const reset = Number(r.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(before + 30);
    expect(reset).toBeLessThanOrEqual(before + 32);
    expect(r.body).toEqual({ error: { message: 'Rate limit exceeded', detail: 'Too many requests: simulated rate limit rule exceeded' }, status: 'failure' });
    const again = await f.get('/api/now/table/incident');
    expect(again.body.error.detail).toBe('Request made before Retry-After elapsed; rate limit still in effect');
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
    expect((await f.sim.app.inject({ method: 'GET', url: '/sim/tables/incident' })).statusCode).toBe(200);
  });
});
