import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';

const basic = `Basic ${Buffer.from('integration:integration-pass').toString('base64')}`;
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' };

async function closeAndAnswer(h: Harness, email: string, score: number) {
  const caller = h.sim.createUser({ user_name: email, name: 'Jo', email });
  const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Phone' });
  h.sim.closeIncident(inc.sys_id!);
  await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
  const transport = h.service.ctx.mail.transport as MemoryTransport;
  const mail = await waitFor('mail', () => transport.sent.find((m) => m.to === email));
  const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
  const page = await h.api('GET', path, undefined, { token: null });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score) }).toString() });
  return inc;
}

describe('outbound controls', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 }, rateLimitPerSecond: 4 }));
  });
  afterAll(() => h?.close());

  it('keeps a write-back the ITSM refuses as a failed job with its reason; an admin retries it after the fix', async () => {
    const caller = h.sim.createUser({ user_name: 'gone', name: 'Gone', email: 'gone@example.com' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Tablet' });
    h.sim.closeIncident(inc.sys_id!);
    const snapshot = h.sim.table('incident').find((r) => r.sys_id === inc.sys_id)!;
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    const mail = await waitFor('mail', () => transport.sent.find((m) => m.to === 'gone@example.com'));
    // The ticket disappears (deleted in ServiceNow) before the answer is written back.
    await fetch(`${h.sim.url}/api/now/table/incident/${inc.sys_id}`, { method: 'DELETE', headers: { authorization: basic } });
    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
    const page = await h.api('GET', path, undefined, { token: null });
    await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!, score: '4' }).toString() });

    const failed = await waitFor('a failed write-back job', async () => (await h.api('GET', '/admin/jobs?queue=writeback&state=failed')).body.jobs[0]);
    expect(failed.failedReason).toMatch(/write-feedback: HTTP 404: No Record found/);
    expect(failed.attemptsMade).toBe(1); // a permanent refusal is not retried blindly
    const detail = await h.api('GET', `/admin/jobs/writeback/${failed.id}`);
    expect(detail.body.stacktrace.length).toBeGreaterThan(0);

    // Restored in ServiceNow (same sys_id), then retried by an admin.
    await fetch(`${h.sim.url}/api/now/table/incident`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ ...snapshot, sys_id: inc.sys_id }) });
    expect((await h.api('POST', `/admin/jobs/writeback/${failed.id}/retry`)).status).toBe(200);
    await waitFor('the note written', () => h.sim.table('sys_journal_field').some((j) => j.element_id === inc.sys_id && j.element === 'work_notes'));
    expect((await h.api('POST', `/admin/jobs/writeback/${failed.id}/retry`)).status).toBe(409);
    expect((await h.api('GET', '/admin/pipeline')).body.queues.find((q: { name: string }) => q.name === 'writeback').counts.failed).toBe(0);
  });

  it('never calls ServiceNow faster than the connector\'s rate limit', async () => {
    h.sim.resetStats();
    await Promise.all(Array.from({ length: 6 }, (_, i) => closeAndAnswer(h, `rl${i}@example.com`, 1)));
    await waitFor('6 tasks', async () => Number((await h.te.db.selectFrom('follow_ups').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'open').executeTakeFirst())?.n) === 6, 60_000);
    const perSecond = new Map<number, number>();
    for (const l of h.sim.stats().log) perSecond.set(Math.floor(l.at / 1000), (perSecond.get(Math.floor(l.at / 1000)) ?? 0) + 1);
    expect(h.sim.stats().log.length).toBeGreaterThan(12);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
  });
});
