import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';

describe('admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('answers 401 without the admin token, or with a wrong one', async () => {
    expect((await h.api('GET', '/admin/connectors', undefined, { token: null })).status).toBe(401);
    const r = await h.api('GET', '/admin/connectors', undefined, { token: 'wrong-token' });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/Bearer/);
  });

  it('rejects a connector with a bad field, naming the field and the reason', async () => {
    const r = await h.api('POST', '/admin/connectors', snowConnector(h.sim, { rules: { cooldownDays: -1 }, baseUrl: 'ftp://x' }));
    expect(r.status).toBe(400);
    const paths = r.body.details.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['baseUrl', 'rules.cooldownDays']);
    expect(r.body.message).toMatch(/baseUrl: must be an http\(s\) URL/);
    const unknown = await h.api('POST', '/admin/connectors', snowConnector(h.sim, { colour: 'red' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/colour/);
    const missing = await h.api('POST', '/admin/connectors', { ...snowConnector(h.sim), auth: { type: 'basic', username: 'u' } });
    expect(missing.body.details).toEqual([{ path: 'auth.password', message: expect.any(String) }]);
  });

  it('creates a connector, never shows its credentials, and stores only ciphertext', async () => {
    const created = await h.api('POST', '/admin/connectors', snowConnector(h.sim));
    expect(created.status).toBe(201);
    expect(created.body.webhookUrl).toBe('http://127.0.0.1:3000/webhooks/servicenow/snow');
    for (const r of [created, await h.api('GET', '/admin/connectors/snow'), await h.api('GET', '/admin/connectors')]) {
      const text = JSON.stringify(r.body);
      expect(text).not.toContain('integration-pass');
      expect(text).not.toContain(WEBHOOK_SECRET);
      expect(text).toContain('********');
    }
    expect((await h.api('GET', '/admin/connectors/snow')).body.connector.rules.cooldownDays).toBe(14);
    const row = await sql<{ t: string }>`SELECT row_to_json(c)::text AS t FROM connectors c WHERE id = 'snow'`.execute(h.te.db);
    expect(row.rows[0]!.t).not.toContain('integration-pass');
    expect(row.rows[0]!.t).not.toContain(WEBHOOK_SECRET);
    expect(row.rows[0]!.t).toMatch(/"secrets_ciphertext":"v1\./);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(409);
  });

  it('patches rules and keeps the stored secrets', async () => {
    const r = await h.api('PATCH', '/admin/connectors/snow', { rules: { cooldownDays: 7, exclude: { categories: ['Password Reset'] } }, auth: { password: '********' } });
    expect(r.status).toBe(200);
    expect(r.body.changed).toEqual(['rules.cooldownDays', 'rules.exclude.categories']);
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: true });
    expect((await h.api('PATCH', '/admin/connectors/snow', { kind: 'jira' })).status).toBe(400);
    const bad = await h.api('PATCH', '/admin/connectors/snow', { auth: { password: 'wrong' } });
    expect(bad.body.changed).toEqual(['auth.password']);
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: false, message: expect.stringMatching(/401/) });
    await h.api('PATCH', '/admin/connectors/snow', { auth: { password: 'integration-pass' } });
  });

  it('replaces a connector with PUT and reports unchanged', async () => {
    const again = await h.api('PUT', '/admin/connectors/snow', { ...snowConnector(h.sim), rules: { cooldownDays: 7, exclude: { categories: ['Password Reset'] } }, auth: { type: 'basic', username: 'integration' } });
    expect(again.status).toBe(200);
    expect(again.body.action).toBe('unchanged');
  });

  it('lists decisions, validates its query, and 404s unknown connectors', async () => {
    expect((await h.api('GET', '/admin/decisions?limit=5')).body).toEqual({ decisions: [] });
    expect((await h.api('GET', '/admin/decisions?limit=0')).status).toBe(400);
    expect((await h.api('GET', '/admin/connectors/nope')).status).toBe(404);
    expect((await h.api('POST', '/admin/connectors/nope/poll')).status).toBe(404);
  });

  it('refuses to delete a connector with history unless purged', async () => {
    const inc = h.sim.createIncident({ caller_id: h.sim.createUser({ user_name: 'z', name: 'Z', email: 'z@example.com' }).sys_id!, short_description: 'x' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const { waitFor } = await import('./support/env.js');
    await waitFor('the ticket stored', async () => (await h.te.db.selectFrom('tickets').select('id').executeTakeFirst()) !== undefined);
    expect((await h.api('DELETE', '/admin/connectors/snow')).status).toBe(409);
    expect((await h.api('DELETE', '/admin/connectors/snow?purge=true')).status).toBe(204);
    expect((await h.api('GET', '/admin/connectors/snow')).status).toBe(404);
  });
});

describe('webhook rejections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: '2048' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
  });
  afterAll(() => h?.close());

  const hook = (body: unknown, headers: Record<string, string>, url = '/webhooks/servicenow/snow', rawBody?: string) =>
    h.api('POST', url, body, { token: null, headers, rawBody });
  const good = { 'x-feedback-secret': WEBHOOK_SECRET };
  const sysId = 'a'.repeat(32);

  it('rejects bad input with a clear 4xx and enqueues nothing', async () => {
    const cases = [
      { name: 'wrong secret', r: await hook({ sys_id: sysId }, { 'x-feedback-secret': 'wrong-secret-0000000' }), status: 401 },
      { name: 'no secret', r: await hook({ sys_id: sysId }, {}), status: 401 },
      { name: 'malformed JSON', r: await hook(undefined, good, undefined, '{"sys_id": "abc'), status: 400 },
      { name: 'bad payload', r: await hook({ sys_id: 42 }, good), status: 400 },
      { name: 'oversized', r: await hook({ sys_id: sysId, pad: 'x'.repeat(5000) }, good), status: 413 },
      { name: 'unknown connector', r: await hook({ sys_id: sysId }, good, '/webhooks/servicenow/nope'), status: 404 },
      { name: 'wrong kind', r: await hook({ sys_id: sysId }, good, '/webhooks/jira/snow'), status: 404 },
      { name: 'hostile id', r: await hook({ sys_id: sysId }, good, `/webhooks/servicenow/${'%27'.repeat(50)}`), status: 404 },
    ];
    for (const c of cases) {
      expect({ name: c.name, status: c.r.status }).toEqual({ name: c.name, status: c.status });
      expect(typeof c.r.body.message).toBe('string');
    }
    expect((await h.te.db.selectFrom('inbound_events').selectAll().execute()).length).toBe(0);
    const counts = await h.service.ctx.queues.get('fetch').getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    // The process is still healthy.
    expect((await h.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
    expect((await h.api('GET', '/readyz', undefined, { token: null })).body).toEqual({ ok: true, checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' }, down: [] });
  });

  it('refuses push on a disabled connector', async () => {
    await h.api('PATCH', '/admin/connectors/snow', { enabled: false });
    expect((await hook({ sys_id: sysId }, good)).status).toBe(403);
  });
});
