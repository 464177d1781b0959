import { afterEach, describe, expect, it } from 'vitest';
import { callJson, listeningSims } from '../common/test-support.js';
import { createJiraSim } from './sim.js';
import { BASIC } from './test-support.js';

const { started, closeAll } = listeningSims(() => createJiraSim());
afterEach(closeAll);

describe('control API over HTTP (real listen)', () => {
  it('creates projects, users and issues; transitions; comments; lists; serves the REST API on the same port', async () => {
    const { sim, base } = await started();
    expect(sim.url).toBe(base);
    expect((await callJson(base, 'POST', '/sim/projects', { key: 'SUP', name: 'Support', type: 'service_desk' })).status).toBe(201);
    expect((await callJson(base, 'POST', '/sim/projects', { key: 'SUP', name: 'Again', type: 'software' })).status).toBe(409);
    const user = await callJson(base, 'POST', '/sim/users', { displayName: 'Rita', email: 'rita@example.com', hideEmail: true, timeZone: 'Europe/Paris' });
    expect(user.status).toBe(201);
    const issue = await callJson(base, 'POST', '/sim/issues', { project: 'SUP', summary: 'VPN down', reporter: user.body.accountId, labels: ['vpn'], at: '2025-06-01T08:00:00Z' });
    expect(issue.status).toBe(201);
    expect(issue.body).toEqual({ id: expect.any(String), key: 'SUP-1' });
    const done = await callJson(base, 'POST', '/sim/issues/SUP-1/transition', { status: 'Done', at: '2025-06-01T10:00:00Z' });
    expect(done.body.fields).toMatchObject({ status: { name: 'Done' }, resolution: { name: 'Done' }, resolutiondate: '2025-06-01T10:00:00.000+0000' });
    expect((await callJson(base, 'POST', '/sim/issues/SUP-1/comments', { body: 'agent note', public: false })).status).toBe(201);
    expect((await callJson(base, 'GET', '/sim/issues/SUP-1/comments')).body[0]).toMatchObject({ jsdPublic: false });
    expect((await callJson(base, 'GET', '/sim/issues')).body).toHaveLength(1);
    expect((await callJson(base, 'GET', '/sim/issues/SUP-9')).status).toBe(404);
    expect((await callJson(base, 'POST', '/sim/issues/SUP-9/transition', { status: 'Done' })).status).toBe(404);
    expect((await callJson(base, 'GET', '/sim/issues/SUP-1/properties')).body).toEqual({});
    expect((await callJson(base, 'GET', '/sim/links')).body).toEqual([]);

    const api = await fetch(`${base}/rest/api/3/issue/SUP-1?fields=summary`, { headers: { authorization: BASIC } });
    const body = (await api.json()) as { self: string };
    expect(body.self).toBe(`${base}/rest/api/3/issue/${issue.body.id}`);
  });

  it('validates bodies with zod (400 with a message)', async () => {
    const { base } = await started();
    expect((await callJson(base, 'POST', '/sim/users', { displayName: 'x' })).status).toBe(400);
    expect((await callJson(base, 'POST', '/sim/projects', { key: 'lower', name: 'x', type: 'software' })).status).toBe(400);
    expect((await callJson(base, 'PUT', '/sim/webhook', { target: { url: 'not a url', secret: null } })).status).toBe(400);
    expect((await callJson(base, 'POST', '/sim/issues/SUP-1/transition', { status: 'Closing' })).status).toBe(400);
    const notJson = await fetch(`${base}/sim/issues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(typeof ((await notJson.json()) as { error: string }).error).toBe('string');
  });

  it('sets faults and the webhook target, reports and resets stats', async () => {
    const { sim, base } = await started();
    const f = await callJson(base, 'PUT', '/sim/faults', { rate500: 1, latencyMs: [0, 1] });
    expect(f.body).toEqual({ rate429: 0, rate503: 0, rate500: 1, latencyMs: [0, 1], retryAfterSeconds: 0, searchLagMs: 0 });
    expect((await fetch(`${base}/rest/api/3/myself`, { headers: { authorization: BASIC } })).status).toBe(500);
    await callJson(base, 'PUT', '/sim/faults', { rate500: 0 });
    expect((await fetch(`${base}/rest/api/3/myself`, { headers: { authorization: BASIC } })).status).toBe(200);
    const stats = await callJson(base, 'GET', '/sim/stats');
    expect(stats.body).toMatchObject({ requests: 2, status: { '500': 1, '200': 1 }, byRoute: { 'GET /rest/api/3/myself': 2 }, rateLimitViolations: 0, invalidBodies: [] });
    const wh = await callJson(base, 'PUT', '/sim/webhook', { target: { url: 'http://127.0.0.1:9/hook', secret: 's3cret' }, duplicateRate: 0.5, retryDelaysMs: [1] });
    expect(wh.body).toMatchObject({ target: { url: 'http://127.0.0.1:9/hook', secret: 's3cret' }, duplicateRate: 0.5, retryDelaysMs: [1] });
    expect(sim.webhook.target).toEqual({ url: 'http://127.0.0.1:9/hook', secret: 's3cret' });
    expect((await callJson(base, 'PUT', '/sim/webhook', { target: null })).body.target).toBeNull();
    expect((await callJson(base, 'POST', '/sim/webhook/flush')).status).toBe(204);
    expect((await callJson(base, 'POST', '/sim/stats/reset')).status).toBe(204);
    expect(sim.stats()).toMatchObject({ requests: 0, byRoute: {}, status: {}, log: [], invalidBodies: [] });
  });
});
