import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callJson, listeningSims } from '../common/test-support.js';
import { createServiceNowSim } from './sim.js';
import { BASIC } from './test-support.js';

const { started, closeAll } = listeningSims(() => createServiceNowSim());
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await closeAll();
  for (const c of closers.splice(0)) await c();
});

describe('programmatic control', () => {
  it('closeIncident sets state, resolution and close fields at the given time and bumps sys_mod_count', async () => {
    const sim = createServiceNowSim();
    const u = sim.createUser({ user_name: 'abel', name: 'Abel Tuter', email: 'abel@example.com' });
    const agent = sim.createUser({ user_name: 'beth', name: 'Beth Anglin', email: 'beth@example.com' });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: 'x', assigned_to: agent.sys_id! });
    expect(inc).toMatchObject({ number: 'INC0010001', state: '1', incident_state: '1', caller_id: u.sys_id, opened_by: u.sys_id, sys_mod_count: '0' });
    const closed = sim.closeIncident(inc.sys_id!, { at: new Date('2024-06-01T10:00:00Z'), close_notes: 'fixed' });
    expect(closed).toMatchObject({
      state: '7',
      incident_state: '7',
      active: 'false',
      resolved_at: '2024-06-01 10:00:00',
      resolved_by: agent.sys_id,
      closed_at: '2024-06-01 10:00:00',
      closed_by: agent.sys_id,
      close_notes: 'fixed',
      sys_updated_on: '2024-06-01 10:00:00',
      sys_mod_count: '1',
    });
    expect(closed.close_code).not.toBe('');
    const reopened = sim.reopenIncident(inc.sys_id!, new Date('2024-06-02T09:00:00Z'));
    expect(reopened).toMatchObject({ state: '2', incident_state: '2', closed_at: '', resolved_at: '', sys_updated_on: '2024-06-02 09:00:00', sys_mod_count: '2' });
    const resolved = sim.closeIncident(inc.sys_id!, { state: '6', resolved_by: 'abel' });
    expect(resolved).toMatchObject({ state: '6', resolved_by: u.sys_id, closed_at: '' });
    expect(() => sim.closeIncident('nope')).toThrow(/nope/);
    expect(sim.table('nothing')).toEqual([]);
  });
});

describe('control API over HTTP (real listen)', () => {
  it('creates users, groups, incidents; closes and reopens; reads tables; serves the Table API on the same port', async () => {
    const { sim, base } = await started();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.url).toBe(base);
    const user = await callJson(base, 'POST', '/sim/users', { user_name: 'abel', name: 'Abel Tuter', email: 'abel@example.com', time_zone: 'UTC' });
    expect(user.status).toBe(201);
    const group = await callJson(base, 'POST', '/sim/groups', { name: 'Service Desk' });
    expect(group.status).toBe(201);
    const inc = await callJson(base, 'POST', '/sim/incidents', { caller_id: user.body.sys_id, short_description: 'VPN', assignment_group: group.body.sys_id });
    expect(inc.status).toBe(201);
    expect(inc.body.number).toBe('INC0010001');
    const closed = await callJson(base, 'POST', `/sim/incidents/${inc.body.sys_id}/close`, { close_code: 'Solved (Permanently)', at: '2024-06-01T10:00:00Z' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: '7', closed_at: '2024-06-01 10:00:00' });
    expect((await callJson(base, 'POST', `/sim/incidents/${inc.body.sys_id}/reopen`)).body.state).toBe('2');
    expect((await callJson(base, 'POST', `/sim/incidents/${'0'.repeat(32)}/close`)).status).toBe(404);

    const tables = await callJson(base, 'GET', '/sim/tables/incident');
    expect(tables.body).toHaveLength(1);
    expect((await callJson(base, 'GET', '/sim/tables/u_nope')).status).toBe(404);

    const api = await fetch(`${base}/api/now/table/incident?sysparm_fields=caller_id&sysparm_limit=1`, { headers: { authorization: BASIC } });
    const body = (await api.json()) as { result: Array<{ caller_id: { link: string } }> };
    expect(body.result[0]!.caller_id.link).toBe(`${base}/api/now/table/sys_user/${user.body.sys_id}`);
  });

  it('validates bodies with zod (400 with a message)', async () => {
    const { base } = await started();
    const bad = await callJson(base, 'POST', '/sim/users', { user_name: 'x' });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe('string');
    expect((await callJson(base, 'PUT', '/sim/webhook', { url: 'not a url' })).status).toBe(400);
    const notJson = await fetch(`${base}/sim/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('sets faults, reports and resets stats', async () => {
    const { sim, base } = await started();
    const f = await callJson(base, 'PUT', '/sim/faults', { rate500: 1, latencyMs: [0, 1] });
    expect(f.body).toEqual({ rate429: 0, rate500: 1, latencyMs: [0, 1], retryAfterSeconds: 0 });
    expect((await fetch(`${base}/api/now/table/incident`, { headers: { authorization: BASIC } })).status).toBe(500);
    await callJson(base, 'PUT', '/sim/faults', { rate500: 0 });
    expect((await fetch(`${base}/api/now/table/incident?sysparm_limit=1`, { headers: { authorization: BASIC } })).status).toBe(200);
    const stats = await callJson(base, 'GET', '/sim/stats');
    expect(stats.body).toMatchObject({ requests: 2, status: { '500': 1, '200': 1 }, byRoute: { 'GET /api/now/table/incident': 2 }, rateLimitViolations: 0 });
    expect(stats.body.log[1]).toMatchObject({ method: 'GET', url: '/api/now/table/incident?sysparm_limit=1', status: 200 });
    expect((await callJson(base, 'POST', '/sim/stats/reset')).status).toBe(204);
    expect(sim.stats()).toMatchObject({ requests: 0, byRoute: {}, status: {}, log: [] });
  });

  it('pushes {table, sys_id, number, state, sys_updated_on} with the configured headers when an incident closes', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: unknown }> = [];
    const hook = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(data) });
        res.statusCode = received.length === 1 ? 200 : 503;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => hook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/servicenow`;

    const { sim, base } = await started();
    expect((await callJson(base, 'PUT', '/sim/webhook', { url: hookUrl, headers: { 'x-feedback-secret': 's3cret' } })).status).toBe(200);
    const u = sim.createUser({ user_name: 'abel', name: 'Abel', email: 'a@x.com' });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: 'x' });
    const closed = sim.closeIncident(inc.sys_id!, { at: new Date('2024-06-01T10:00:00Z') });
    await sim.webhook.flush();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['x-feedback-secret']).toBe('s3cret');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.body).toEqual({ table: 'incident', sys_id: inc.sys_id, number: 'INC0010001', state: '7', sys_updated_on: closed.sys_updated_on });

    // A state change to Closed through the Table API fires too (the Business Rule is "after update").
    const inc2 = sim.createIncident({ caller_id: u.sys_id!, short_description: 'y' });
    await fetch(`${base}/api/now/table/incident/${inc2.sys_id}`, {
      method: 'PATCH',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ state: '7' }),
    });
    await sim.webhook.flush();
    expect(received).toHaveLength(2);
    expect(sim.stats().webhooks).toEqual({ sent: 1, failed: 1 }); // the receiver answered 503 the second time

    sim.webhook.target = { url: 'http://127.0.0.1:1/unreachable', headers: {} };
    sim.closeIncident(inc2.sys_id!);
    await sim.webhook.flush();
    expect(sim.stats().webhooks.failed).toBe(2);

    expect((await callJson(base, 'PUT', '/sim/webhook', null)).body).toEqual({ target: null });
    expect(sim.webhook.target).toBeNull();
  });
});
