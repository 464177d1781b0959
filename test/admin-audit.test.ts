import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { waitFor } from './support/env.js';

/** Every change made through the admin API lands in the audit log: who (X-Admin-Actor), what, before/after with secrets masked. */
describe('audit log of the admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const actor = (name: string) => ({ headers: { 'x-admin-actor': name } });

  it('records connector changes with the caller label and masked secrets', async () => {
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim), actor('deploy-pipeline'))).status).toBe(201);
    expect((await h.api('PATCH', '/admin/connectors/snow', { rules: { cooldownDays: 3 }, auth: { password: 'rotated-password-1' } })).status).toBe(200);
    const { body } = await h.api('GET', '/admin/audit');
    const [patch, create] = body.entries;
    expect(create).toMatchObject({ actor: 'deploy-pipeline', channel: 'api', action: 'connector.create', targetType: 'connector', targetId: 'snow', before: null });
    expect(create.after.auth.password).toBe('********');
    expect(patch).toMatchObject({ actor: 'api', channel: 'api', action: 'connector.update', detail: 'changed: auth.password, rules.cooldownDays' });
    expect(patch.before.rules.cooldownDays).toBe(14);
    expect(patch.after.rules.cooldownDays).toBe(3);
    const all = JSON.stringify(body);
    for (const secret of ['integration-pass', 'rotated-password-1', WEBHOOK_SECRET]) expect(all).not.toContain(secret);
  });

  it('records suppressions, queue switches and unchanged saves not at all', async () => {
    await h.api('PATCH', '/admin/connectors/snow', { rules: { cooldownDays: 3 } }); // unchanged: no entry
    await h.api('POST', '/admin/suppressions', { email: 'Pat@Example.com', note: 'asked by phone' }, actor('dana'));
    await h.api('DELETE', '/admin/suppressions/pat@example.com', undefined, actor('dana'));
    await h.api('POST', '/admin/pipeline/send/pause');
    await h.api('POST', '/admin/pipeline/send/resume');
    const { body } = await h.api('GET', '/admin/audit?limit=4');
    expect(body.entries.map((e: { action: string }) => e.action)).toEqual(['queue.resume', 'queue.pause', 'suppression.lift', 'suppression.add']);
    expect(body.entries[2]).toMatchObject({ actor: 'dana', targetId: 'pat@example.com', detail: 'was manual (admin: asked by phone)' });
    expect((await h.api('GET', '/admin/audit?actor=dana')).body.entries).toHaveLength(2);
    expect((await h.api('GET', '/admin/audit?action=connector.')).body.entries).toHaveLength(2);
  });

  it('exports CSV and refuses bad filters', async () => {
    const res = await h.service.app!.inject({ method: 'GET', url: '/admin/audit.csv', headers: { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}` } });
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.body.split('\r\n')[0]).toBe('id,at,actor,channel,action,target_type,target_id,detail,before,after');
    expect(res.body).toContain('suppression.lift');
    expect((await h.api('GET', '/admin/audit?from=yesterday')).status).toBe(400);
  });

  it('counts webhook deliveries per connector, with the reason for refusals', async () => {
    const post = (headers: Record<string, string>, body: unknown) => h.service.app!.inject({ method: 'POST', url: '/webhooks/servicenow/snow', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
    const sysId = 'a'.repeat(32);
    expect((await post({ 'x-feedback-secret': WEBHOOK_SECRET }, { sys_id: sysId, number: 'INC0000001', sys_updated_on: '2026-01-01 10:00:00' })).statusCode).toBe(202);
    expect((await post({ 'x-feedback-secret': WEBHOOK_SECRET }, { sys_id: sysId, number: 'INC0000001', sys_updated_on: '2026-01-01 10:00:00' })).statusCode).toBe(202);
    expect((await post({ 'x-feedback-secret': 'wrong' }, { sys_id: sysId })).statusCode).toBe(401);
    const rows = await waitFor('activity rows', async () => {
      const r = await h.te.db.withTables<{ connector_activity: { connector_id: string; kind: string; outcome: string; reason: string; count: number } }>().selectFrom('connector_activity').selectAll().where('kind', '=', 'webhook').execute();
      return r.length >= 3 ? r : null;
    });
    const by = Object.fromEntries(rows.map((r) => [`${r.outcome}:${r.reason}`, r.count]));
    expect(by).toEqual({ 'accepted:': 1, 'duplicate:': 1, 'rejected:missing or wrong X-Feedback-Secret header': 1 });
    const deliveries = await h.te.db.withTables<{ webhook_deliveries: { summary: string; status: number; received_at: Date } }>().selectFrom('webhook_deliveries').selectAll().orderBy('received_at').execute();
    expect(deliveries.map((d) => [d.status, d.summary])).toEqual([[202, 'INC0000001'], [202, 'INC0000001'], [401, `${sysId}`]]);
  });
});
