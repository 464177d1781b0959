/** Jira's fault answers (rate-limit headers, 503, error bodies); the behaviour both simulators share is in ../common/faults.test.ts. */
import { describe, expect, it } from 'vitest';
import { adf, fixture, seed } from './test-support.js';

describe('faults', () => {
  it('429 carries X-RateLimit-Remaining, X-RateLimit-Reset as ISO 8601 and RateLimit-Reason', async () => {
    const f = fixture();
    f.sim.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const before = Date.now();
    const r = await f.get('/rest/api/3/myself');
    expect(r.status).toBe(429);
    expect(r.headers['x-ratelimit-remaining']).toBe('0');
    expect(r.headers['ratelimit-reason']).toBe('jira-burst-based');
    const reset = Date.parse(String(r.headers['x-ratelimit-reset']));
    expect(String(r.headers['x-ratelimit-reset'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(reset).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 29_000);
    expect(reset).toBeLessThanOrEqual(before + 31_000);
    expect(r.body).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });
  });

  it('503 with Retry-After; 500; both with Jira error bodies', async () => {
    const f = fixture();
    f.sim.setFaults({ rate503: 1, retryAfterSeconds: 5 });
    const r = await f.get('/rest/api/3/myself');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).toEqual({ errorMessages: ['Service Unavailable: the request could not be completed, try again later.'], errors: {} });
    f.sim.setFaults({ rate503: 0, rate500: 1 });
    const e = await f.get('/rest/api/3/myself');
    expect(e.status).toBe(500);
    expect(e.body).toEqual({ errorMessages: ['Internal server error (simulated).'], errors: {} });
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
});
