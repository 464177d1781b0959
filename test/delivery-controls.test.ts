import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';

async function surveyFor(h: Harness, email: string, language?: string) {
  const caller = h.sim.createUser({ user_name: email, name: 'Lee', email, ...(language !== undefined ? { preferred_language: language } : {}) });
  const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Keyboard' });
  h.sim.closeIncident(inc.sys_id!);
  await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
  return waitFor(`survey for ${email}`, async () => h.te.db.selectFrom('surveys as s').innerJoin('people as p', 'p.id', 's.person_id').select(['s.id', 's.status']).where('p.email', '=', email).executeTakeFirst());
}

describe('delivery controls', () => {
  let h: Harness;
  let transport: MemoryTransport;
  beforeAll(async () => {
    h = await startHarness({ PAGE_RATE_LIMIT_PER_MINUTE: '8', TOKEN_RATE_LIMIT_PER_MINUTE: '3' });
    transport = h.service.ctx.mail.transport as MemoryTransport;
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { survey: { scale: 'nps', defaultLocale: 'de' } }));
  });
  afterAll(() => h?.close());

  it('a paused SES account stops the send queue, raises the alarm, and sends after resume', async () => {
    transport.failNext('paused');
    const s = await surveyFor(h, 'paused@example.com');
    await waitFor('the send queue paused', async () => h.service.ctx.queues.get('send').isPaused());
    expect((await h.te.db.selectFrom('surveys').select('status').where('id', '=', s.id).executeTakeFirstOrThrow()).status).toBe('scheduled');
    expect((await h.api('POST', '/admin/pipeline/send/resume')).body).toEqual({ queue: 'send', paused: false });
    // The job was parked; run it now rather than waiting for the park to end.
    await h.service.ctx.queues.get('send').getJob(h.service.ctx.queues.jobId('send', { surveyId: s.id })).then((j) => j?.promote());
    await waitFor('sent after resume', async () => (await h.te.db.selectFrom('surveys').select('status').where('id', '=', s.id).executeTakeFirstOrThrow()).status === 'sent');
    expect(transport.sent.filter((m) => m.to === 'paused@example.com')).toHaveLength(1);
  });

  it('uses the connector scale, the requester\'s language, and the connector default when the language is not shipped', async () => {
    await surveyFor(h, 'nps@example.com', 'de');
    const mail = await waitFor('mail', () => transport.sent.find((m) => m.to === 'nps@example.com'));
    expect(mail.html).toContain('lang="de"');
    for (let r = 0; r <= 10; r++) expect(mail.text).toContain(`?r=${r}`);
    await surveyFor(h, 'french@example.com', 'fr');
    const fr = await waitFor('mail', () => transport.sent.find((m) => m.to === 'french@example.com'));
    expect(fr.html).toContain('lang="de"'); // fr is not shipped: the connector's default (de)
    await surveyFor(h, 'english@example.com', 'en');
    expect((await waitFor('mail', () => transport.sent.find((m) => m.to === 'english@example.com'))).html).toContain('lang="en"');
  });

  it('limits requests per survey token and per client address', async () => {
    const mail = await waitFor('mail', () => transport.sent.find((m) => m.to === 'nps@example.com'));
    const link = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
    const post = () => h.service.app!.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0' }, payload: 'score=9', remoteAddress: `10.9.${Math.floor(Math.random() * 250)}.1` });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post()).statusCode);
    expect(statuses.slice(0, 3).every((s) => s === 403)).toBe(true); // no form signature, but counted
    expect(statuses.slice(3)).toEqual([429, 429]);

    const fromOneAddress = [];
    for (let i = 0; i < 10; i++) fromOneAddress.push((await h.service.app!.inject({ method: 'GET', url: `/s/${'x'.repeat(43)}`, remoteAddress: '10.1.1.1' })).statusCode);
    expect(fromOneAddress.filter((s) => s === 404)).toHaveLength(8);
    expect(fromOneAddress.slice(8)).toEqual([429, 429]);
  });

  it('previews every template with sample data, with a connector\'s branding', async () => {
    const names = ['survey-email-html', 'survey-email-text', 'reminder-email-html', 'survey-page', 'thanks-page', 'unsubscribe-page', 'unsubscribed-page', 'not-found-page'];
    for (const n of names) {
      const r = await h.service.app!.inject({ method: 'GET', url: `/admin/preview/${n}?locale=de&scale=ces&connectorId=snow`, headers: { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}` } });
      expect({ n, status: r.statusCode }).toEqual({ n, status: 200 });
      expect(r.body.length).toBeGreaterThan(100);
    }
    expect((await h.api('GET', '/admin/preview/nope')).status).toBe(404);
    expect((await h.api('GET', '/admin/preview/survey-page?locale=xx')).status).toBe(400);
    expect((await h.api('GET', '/admin/preview/survey-page', undefined, { token: null })).status).toBe(401);
  });

  it('manages the suppression list: add, list, lift, with validation', async () => {
    expect((await h.api('POST', '/admin/suppressions', { email: 'Someone@Example.com', note: 'asked by phone' })).status).toBe(201);
    expect((await h.api('POST', '/admin/suppressions', { email: 'not-an-email' })).status).toBe(400);
    expect((await h.api('GET', '/admin/suppressions?email=someone@example.com')).body.suppressions).toMatchObject([{ email: 'someone@example.com', reason: 'manual', source: 'admin: asked by phone' }]);
    expect((await h.api('DELETE', '/admin/suppressions/someone@example.com')).status).toBe(204);
    expect((await h.api('DELETE', '/admin/suppressions/someone@example.com')).status).toBe(404);
    expect((await h.api('GET', '/admin/suppressions?includeLifted=true')).body.suppressions[0].lifted_at).not.toBeNull();
  });
});
