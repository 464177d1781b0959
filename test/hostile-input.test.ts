import { createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersUrl } from '../src/lib/agent-links.js';
import { FormSigner } from '../src/lib/tokens.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { CONNECTOR_CACHE_MAX_ENTRIES } from '../src/store/connectors.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

const JIRA_SECRET = 'jira-webhook-secret-0123456789';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

describe('hostile input against the running service', () => {
  let h: Harness;
  let transport: MemoryTransport;
  let n = 0;

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      WEBHOOK_BODY_LIMIT_BYTES: '4096',
      PAGE_RATE_LIMIT_PER_MINUTE: '40',
      TOKEN_RATE_LIMIT_PER_MINUTE: '5',
      AGENT_LINK_TTL_DAYS: '7',
    });
    transport = h.service.ctx.mail.transport as MemoryTransport;
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 }, analytics: { publicScoreboard: true } }))).status).toBe(201);
    // A Jira Cloud connector that is only pushed to; its re-reads go to the ServiceNow simulator (404: no such issue).
    const jira = { id: 'jira', name: 'Jira', kind: 'jira', baseUrl: h.sim.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 't' }, webhookSecret: JIRA_SECRET, intake: { mode: 'push' }, jira: { projects: ['SUP'] } };
    expect((await h.api('POST', '/admin/connectors', jira)).status).toBe(201);
  });
  afterAll(() => h?.close());

  /** A survey mailed for a fresh closed incident: its page path and id. */
  async function survey(): Promise<{ path: string; surveyId: string }> {
    const email = `person${++n}@example.com`;
    const caller = h.sim.createUser({ user_name: email, name: `Person ${n}`, email });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Keyboard' });
    h.sim.closeIncident(inc.sys_id!);
    expect((await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } })).status).toBe(202);
    const mail = await waitFor(`mail to ${email}`, () => transport.sent.find((m) => m.to === email));
    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
    const { id } = await h.te.db.selectFrom('surveys as s').innerJoin('people as p', 'p.id', 's.person_id').select('s.id').where('p.email', '=', email).executeTakeFirstOrThrow();
    return { path, surveyId: id };
  }
  const csrf = (surveyId: string) => new FormSigner(h.te.config.SECRET_KEY).sign(`answer:${surveyId}`);
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const page = (method: 'GET' | 'HEAD' | 'POST', url: string, remoteAddress: string, payload?: string, userAgent = BROWSER) =>
    h.service.app!.inject({ method, url, remoteAddress, headers: { 'user-agent': userAgent, ...(payload !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(payload !== undefined ? { payload } : {}) });

  describe('item 8: unknown connector ids do not grow the heap', () => {
    it('thousands of random ids on public routes leave the connector cache bounded, and expired entries are removed', async () => {
      const app = h.service.app!;
      for (let i = 0; i < 3000; i++) {
        const id = randomBytes(8).toString('hex');
        const r = i % 3 === 0
          ? await app.inject({ method: 'GET', url: `/scoreboard/${id}` })
          : await app.inject({ method: 'POST', url: `/webhooks/${i % 3 === 1 ? 'servicenow' : 'jira'}/${id}`, headers: { 'content-type': 'application/json' }, payload: '{}' });
        expect(r.statusCode).toBe(404);
      }
      const held = h.service.ctx.connectors.cachedCount;
      expect(held).toBeLessThanOrEqual(CONNECTOR_CACHE_MAX_ENTRIES);
      // Only the two real connectors may be in it.
      expect(held).toBeLessThanOrEqual(2);
      // After the TTL (2 s), the next look-up removes what expired.
      await waitFor('expired entries removed', async () => {
        await app.inject({ method: 'GET', url: `/scoreboard/${randomBytes(8).toString('hex')}` });
        return h.service.ctx.connectors.cachedCount === 0;
      }, 10_000, 200);
    });
  });

  describe('item 9: NUL bytes', () => {
    it('in a path or query parameter: 400 with a message, on public and admin routes', async () => {
      for (const url of ['/scoreboard/%00', '/scoreboard/snow?interval=%00', '/s/abc%00def', '/u/%00', '/answers/1/%00']) {
        const r = await h.service.app!.inject({ method: 'GET', url, remoteAddress: '10.9.0.1' });
        expect({ url, status: r.statusCode }).toEqual({ url, status: 400 });
        expect(r.body).toMatch(/NUL byte|could not process/i);
      }
      for (const url of ['/admin/decisions?reason=%00', '/admin/decisions?connectorId=a%00b', '/admin/surveys?status=%00', '/admin/suppressions?email=a%00@example.com', '/admin/stats?team=%00', '/admin/stats/themes?connector=snow%00', '/admin/jobs?queue=%00', '/admin/connectors/%00', '/admin/export/answers.csv?category=%00', '/admin/dashboard?team=%00']) {
        const r = await h.api('GET', url);
        expect({ url, status: r.status }).toEqual({ url, status: 400 });
        expect(r.body.message).toMatch(/NUL byte/);
      }
    });

    it('in a survey comment: the answer is recorded, without the NUL', async () => {
      const { path, surveyId } = await survey();
      const r = await page('POST', path, '10.9.0.2', form({ score: '2', comment: 'line one\u0000 and\u0000 two', _csrf: csrf(surveyId) }));
      expect(r.statusCode).toBe(303);
      const rows = await h.te.db.selectFrom('responses').select(['score', 'comment', 'is_active']).where('survey_id', '=', surveyId).execute();
      expect(rows).toEqual([{ score: 2, comment: 'line one and two', is_active: true }]);
    });

    it('in a ServiceNow push and in a signed Jira push: accepted, stored without it', async () => {
      const caller = h.sim.createUser({ user_name: 'nul', name: 'Nul', email: 'nul@example.com' });
      const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'x' });
      const snow = await h.api('POST', '/webhooks/servicenow/snow', undefined, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET }, rawBody: `{"sys_id":"${inc.sys_id}","number":"INC\\u0000001","sys_updated_on":"2026-01-01\\u000000:00:00"}` });
      expect(snow.status).toBe(202);
      expect((await h.te.db.selectFrom('inbound_events').select('dedupe_key').where('connector_id', '=', 'snow').where('dedupe_key', 'like', '%2026-01-01%').execute())).toEqual([{ dedupe_key: `${inc.sys_id}@2026-01-0100:00:00` }]);

      const raw = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_updated', issue: { id: '10\u00000042', key: 'SUP-1\u0000', fields: { project: { key: 'SUP' }, summary: 'a\u0000b', status: { name: 'Done', statusCategory: { key: 'done' } } } }, changelog: { id: '9\u00009', items: [{ field: 'status', fieldId: 'status', toString: 'Done\u0000' }] } });
      expect(raw).toContain('\\u0000');
      const jira = await h.api('POST', '/webhooks/jira/jira', undefined, { token: null, rawBody: raw, headers: { 'x-hub-signature': `sha256=${createHmac('sha256', JIRA_SECRET).update(raw).digest('hex')}`, 'x-atlassian-webhook-identifier': 'nul-1' } });
      expect(jira.status).toBe(202);
      expect(jira.body).toMatchObject({ accepted: 1 });
      expect((await h.te.db.selectFrom('inbound_events').select('external_id').where('connector_id', '=', 'jira').execute())).toEqual([{ external_id: '100042' }]);
    });

    it('in an admin body: stored without it, or refused with a 4xx', async () => {
      const r = await h.api('POST', '/admin/suppressions', { email: 'nul@example.com', note: 'called\u0000 us' });
      expect(r.status).toBe(201);
      expect((await h.te.db.selectFrom('suppressions').select('source').where('email', '=', 'nul@example.com').executeTakeFirstOrThrow()).source).toBe('admin: called us');
      const patched = await h.api('PATCH', '/admin/connectors/snow', { name: 'Service\u0000Now', followUp: { assigneeByGroup: { 'Desk\u0000': 'x' } } });
      expect(patched.status).toBe(200);
      expect(patched.body.connector.name).toBe('ServiceNow');
      // A lone surrogate cannot go into jsonb as it is: replaced, not a 500.
      expect((await h.api('PATCH', '/admin/connectors/snow', undefined, { rawBody: '{"name":"Service \\ud800 Now"}' })).status).toBe(200);
      await h.api('PATCH', '/admin/connectors/snow', { name: 'ServiceNow (simulated)', followUp: { assigneeByGroup: null } });
    });
  });

  describe('item 11: stalled request bodies', () => {
    it('a webhook body that stops half-way is answered 408 and its connection closed within the request timeout', async () => {
      const { port } = new URL(h.service.url!);
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      let closed = false;
      socket.on('data', (d) => (received += d.toString()));
      socket.on('close', () => (closed = true));
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(`POST /webhooks/servicenow/snow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Feedback-Secret: ${WEBHOOK_SECRET}\r\nContent-Length: 1000\r\n\r\n{"sys_id":"`);
      // HTTP_REQUEST_TIMEOUT_MS is 2 s here; without a timeout the socket stays open for good.
      await waitFor('the stalled connection to be closed', () => closed, 20_000, 100);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    });
  });

  describe('item 14: exposure', () => {
    it('413 states the limit of the route that refused', async () => {
      const big = (n: number) => JSON.stringify({ sys_id: 'a'.repeat(32), pad: 'x'.repeat(n) });
      const hook = await h.api('POST', '/webhooks/servicenow/snow', undefined, { token: null, rawBody: big(5000), headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
      expect(hook).toEqual({ status: 413, body: { error: 'payload_too_large', message: 'body is larger than 4096 bytes, the limit of this route' } });
      const admin = await h.api('POST', '/admin/suppressions', undefined, { rawBody: big(1_100_000) });
      expect(admin.body.message).toBe('body is larger than 1048576 bytes, the limit of this route');
      const { path } = await survey();
      const tooLong = await page('POST', path, '10.9.1.1', form({ score: '3', comment: 'x'.repeat(20_000) }));
      expect(tooLong.statusCode).toBe(413);
      expect(tooLong.body).toContain('At most 16 KB can be sent');
    });

    it('the agents\' answer link carries a signed expiry (AGENT_LINK_TTL_DAYS) and answers 404 once expired, like a forged one', async () => {
      const { path, surveyId } = await survey();
      expect((await page('POST', path, '10.9.2.1', form({ score: '4', comment: 'fine', _csrf: csrf(surveyId) }))).statusCode).toBe(303);
      const note = await waitFor('the work note', () => h.sim.table('sys_journal_field').find((j) => j.value?.includes(`/answers/${surveyId}/`)));
      const link = /\/answers\/\d+\/([0-9a-z]+)\.[A-Za-z0-9_-]{22}/.exec(note.value!)!;
      const expiresAt = parseInt(link[1]!, 36) * 1000;
      expect(Math.abs(expiresAt - (Date.now() + 7 * 86_400_000))).toBeLessThan(120_000);
      const get = (url: string) => h.service.app!.inject({ method: 'GET', url: new URL(url, 'http://x').pathname });
      const open = await get(link[0]);
      expect(open.statusCode).toBe(200);
      expect(open.body).toContain('fine');

      const secret = h.te.config.SECRET_KEY;
      const expired = await get(answersUrl('', secret, surveyId, { now: new Date(Date.now() - 8 * 86_400_000), ttlDays: 7 }));
      const forged = await get(`/answers/${surveyId}/${link[1]}.${'A'.repeat(22)}`);
      const oldForm = await get(`/answers/${surveyId}/${createHmac('sha256', secret).update(`answers:${surveyId}`).digest('base64url').slice(0, 22)}`);
      const longer = await get(answersUrl('', secret, surveyId, { ttlDays: 1 }).replace(/\/([0-9a-z]+)\./, (_, e: string) => `/${(parseInt(e, 36) + 86_400 * 30).toString(36)}.`));
      for (const r of [expired, forged, oldForm, longer]) expect({ status: r.statusCode, body: r.body }).toEqual({ status: 404, body: 'not found' });
    });
  });

  describe('item 15: scanners cannot lock a person out of answering', () => {
    it('50 scanner GET/HEAD requests on a link, then the person\'s answer is accepted; repeated POSTs are still limited per link', async () => {
      const { path, surveyId } = await survey();
      const scanners = ['Mozilla/5.0 (compatible; Microsoft Safe Links)', 'python-requests/2.31', BROWSER];
      for (let i = 0; i < 50; i++) {
        const r = await page(i % 2 ? 'HEAD' : 'GET', `${path}${i % 3 ? '?r=1' : ''}`, `10.20.${i}.1`, undefined, scanners[i % 3]);
        expect(r.statusCode).toBe(200);
      }
      expect((await page('POST', path, '10.21.0.1', form({ score: '1', comment: 'still broken', _csrf: csrf(surveyId) }))).statusCode).toBe(303);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await page('POST', path, `10.22.${i}.1`, form({ score: '2', _csrf: csrf(surveyId) }))).statusCode);
      // TOKEN_RATE_LIMIT_PER_MINUTE is 5 here: the person's answer was the first.
      expect(statuses).toEqual([303, 303, 303, 303, 429, 429]);
    });

    it('a sweep from the person\'s own address (a mail gateway) uses up page views, not the answer', async () => {
      const { path, surveyId } = await survey();
      const gateway = '10.30.0.1';
      expect((await page('GET', `${path}?r=3`, gateway)).statusCode).toBe(200);
      const sweep = [];
      for (let i = 0; i < 45; i++) sweep.push((await page(i % 2 ? 'HEAD' : 'GET', path, gateway, undefined, 'Mozilla/5.0 (compatible; Proofpoint URL Defense)')).statusCode);
      // PAGE_RATE_LIMIT_PER_MINUTE is 40: the sweep ran out of page views...
      expect(sweep.filter((s) => s === 429).length).toBeGreaterThan(0);
      // ...but the form the person already has still submits.
      expect((await page('POST', path, gateway, form({ score: '3', comment: 'ok', _csrf: csrf(surveyId) }))).statusCode).toBe(303);
      expect((await h.te.db.selectFrom('responses').select('score').where('survey_id', '=', surveyId).execute())).toEqual([{ score: 3 }]);
    });
  });
});
