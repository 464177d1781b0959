import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormSigner } from '../src/lib/tokens.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';

const rowCounts = async (h: Harness) =>
  (await sql<{ t: string; n: string }>`
    SELECT 'inbound_events' AS t, count(*)::text AS n FROM inbound_events UNION ALL
    SELECT 'responses', count(*)::text FROM responses UNION ALL
    SELECT 'suppressions', count(*)::text FROM suppressions UNION ALL
    SELECT 'sns_messages', count(*)::text FROM sns_messages UNION ALL
    SELECT 'mail_events', count(*)::text FROM mail_events`.execute(h.te.db)).rows;

const hostileString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('<script>alert(1)</script>', '{{x}}', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '../../etc/passwd', '%00', '\u0000\u202e', "' OR 1=1 --", 'x'.repeat(5000), '[code]<b>[/code]'),
);
const jsonish = fc.oneof(fc.jsonValue(), fc.dictionary(hostileString, fc.jsonValue(), { maxKeys: 8 }), hostileString.map((s) => ({ sys_id: s })));
const body = fc.oneof(jsonish.map((j) => ({ raw: JSON.stringify(j), type: 'application/json' })), hostileString.map((s) => ({ raw: s, type: 'application/json' })), hostileString.map((s) => ({ raw: s, type: 'text/plain' })), hostileString.map((s) => ({ raw: s, type: 'application/x-www-form-urlencoded' })));
const path = fc.oneof(
  fc.constant('/webhooks/servicenow/snow'),
  hostileString.map((s) => `/webhooks/servicenow/${encodeURIComponent(s)}`),
  hostileString.map((s) => `/webhooks/${encodeURIComponent(s)}/snow`),
  hostileString.map((s) => `/s/${encodeURIComponent(s)}`),
  fc.base64String({ minLength: 44, maxLength: 44 }).map((s) => `/s/${s.slice(0, 43).replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, 'A')}`),
  hostileString.map((s) => `/s/${encodeURIComponent(s)}/thanks?r=${encodeURIComponent(s)}`),
  hostileString.map((s) => `/u/${encodeURIComponent(s)}`),
  fc.constant('/ses/events'),
);

/** NUL and other bytes Postgres or a parser may choke on: raw in bodies, as text in URLs. */
const hostileBytes = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\u0000'.repeat(20), '\ud800', 'x\udfffy', '\udbff\u0000', '\u202e\u2066', '\ufeff', '\u0001\u001f\u007f', '\r\n\r\n', '%00', '%', '\\', '"', "'; DROP TABLE x; --", '{{x}}', '[code]', '9'.repeat(40), '-1', '1e999', '2026-13-45', 'x'.repeat(3000)),
);
/** As it would appear in a URL: UTF-8 percent-encoded (lone surrogates as U+FFFD), sometimes with raw %-sequences a client could send. */
const urlPart = fc.oneof(
  hostileBytes.map((v) => [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('%00', '%ff%fe', '%c0%80', '%ed%a0%80', '%25', '..%2f..%2f', 'snow', 'jira', 'decide', '1'),
);
const ADMIN_ROUTES: Array<[method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, queryKeys?: string[]]> = [
  ['GET', '/admin/connectors/{}'], ['PATCH', '/admin/connectors/{}'], ['PUT', '/admin/connectors/{}'], ['POST', '/admin/connectors'], ['POST', '/admin/connectors/{}/test'], ['POST', '/admin/connectors/{}/poll'],
  ['GET', '/admin/decisions', ['connectorId', 'outcome', 'reason', 'limit', 'before']], ['GET', '/admin/surveys', ['status', 'connectorId', 'limit']],
  ['GET', '/admin/suppressions', ['email', 'includeLifted', 'limit']], ['POST', '/admin/suppressions'], ['DELETE', '/admin/suppressions/{}'],
  ['GET', '/admin/preview/{}', ['locale', 'scale', 'connectorId']], ['POST', '/admin/pipeline/{}/{}'], ['GET', '/admin/pipeline'],
  ['GET', '/admin/jobs', ['queue', 'state', 'limit']], ['GET', '/admin/jobs/{}/{}'], ['POST', '/admin/jobs/{}/{}/retry'], ['DELETE', '/admin/jobs/{}/{}'],
  ['GET', '/admin/stats', ['groupBy', 'interval', 'from', 'to', 'connector', 'team', 'agent', 'category', 'priority']], ['GET', '/admin/stats/follow-ups', ['groupBy', 'withinMinutes', 'from']],
  ['GET', '/admin/stats/themes', ['groupBy', 'team']], ['GET', '/admin/export/answers.csv', ['connector', 'category', 'from', 'to']], ['GET', '/admin/export/stats.csv', ['groupBy', 'interval']],
  ['GET', '/admin/dashboard', ['from', 'to', 'connector', 'team', 'interval']], ['GET', '/admin/queues/api/queues', ['activeQueue', 'status', 'page', 'jobsPerPage']],
];
const PUBLIC_ROUTES: Array<[method: 'GET' | 'POST' | 'HEAD', path: string, queryKeys?: string[]]> = [
  ['GET', '/scoreboard/{}', ['interval']], ['GET', '/s/{}', ['r']], ['POST', '/s/{}'], ['GET', '/s/{}/thanks', ['r']], ['HEAD', '/s/{}'], ['GET', '/u/{}'], ['POST', '/u/{}'],
  ['GET', '/answers/{}/{}'], ['POST', '/webhooks/{}/{}'], ['POST', '/ses/events'], ['GET', '/healthz', ['x']], ['GET', '/assets/survey.css', ['v']], ['GET', '/metrics', ['name']],
];
const jsonWith = (v: unknown) => fc.oneof(
  fc.constant(JSON.stringify(v)),
  fc.dictionary(hostileBytes, fc.oneof(hostileBytes, fc.jsonValue()), { maxKeys: 6 }).map((d) => JSON.stringify({ ...d, ...(v as object) })),
);

describe('fuzzing the public endpoints', () => {
  let h: Harness;
  let survey: { path: string; id: string };
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: '4096' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
    const jira = { id: 'jira', name: 'Jira', kind: 'jira', baseUrl: h.sim.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 't' }, webhookSecret: WEBHOOK_SECRET, intake: { mode: 'push' }, jira: { projects: ['SUP'] } };
    expect((await h.api('POST', '/admin/connectors', jira)).status).toBe(201);
    // One survey with a real link, to post hostile answers through the form.
    const caller = h.sim.createUser({ user_name: 'fuzz', name: 'Fuzz', email: 'fuzz@example.com' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'x' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const mail = await waitFor('the survey mail', () => (h.service.ctx.mail.transport as MemoryTransport).sent.find((m) => m.to === 'fuzz@example.com'));
    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
    survey = { path, id: (await h.te.db.selectFrom('surveys').select('id').executeTakeFirstOrThrow()).id };
  });
  afterAll(() => h?.close());

  it('answers malformed, oversized and hostile requests with a 4xx (or a plain page), never a 5xx, and writes nothing', async () => {
    const before = await rowCounts(h);
    await fc.assert(
      fc.asyncProperty(path, body, fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'), fc.boolean(), async (url, b, method, withSecret) => {
        const headers: Record<string, string> = { 'content-type': b.type, 'user-agent': 'fuzz' };
        if (withSecret) headers['x-feedback-secret'] = WEBHOOK_SECRET;
        const res = await h.service.app!.inject({ method, url, headers, payload: method === 'GET' || method === 'HEAD' ? undefined : b.raw });
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      }),
      { numRuns: 400, seed: 42 },
    );
    // Oversized bodies are refused before parsing.
    const big = await h.service.app!.inject({ method: 'POST', url: '/webhooks/servicenow/snow', headers: { 'content-type': 'application/json', 'x-feedback-secret': WEBHOOK_SECRET }, payload: JSON.stringify({ sys_id: 'a'.repeat(32), pad: 'x'.repeat(10_000) }) });
    expect(big.statusCode).toBe(413);
    expect(await rowCounts(h)).toEqual(before);
    expect((await h.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
  }, 120_000);

  it('NULs and other hostile bytes in the path, query and body of every public and admin route: never a 5xx', async () => {
    const request = (routes: typeof ADMIN_ROUTES | typeof PUBLIC_ROUTES, admin: boolean) =>
      fc.asyncProperty(fc.constantFrom(...routes), fc.array(urlPart, { minLength: 2, maxLength: 2 }), fc.array(urlPart, { maxLength: 4 }), jsonWith({}), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'), async ([method, template, keys], [a, b], values, body, type) => {
        let i = 0;
        const path = template.replace(/\{\}/g, () => (i++ === 0 ? a! : b!));
        const query = (keys ?? []).map((k, j) => `${k}=${values[j % Math.max(1, values.length)] ?? ''}`).join('&');
        const url = query ? `${path}?${query}` : path;
        const headers: Record<string, string> = { 'user-agent': 'fuzz', 'content-type': type, 'x-feedback-secret': WEBHOOK_SECRET };
        if (admin) headers.authorization = `Bearer ${h.te.config.ADMIN_TOKEN}`;
        if (template === '/metrics') headers.authorization = `Bearer ${h.te.config.METRICS_TOKEN}`;
        const payload = method === 'GET' || method === 'HEAD' ? undefined : type === 'application/x-www-form-urlencoded' ? values.map((v, j) => `f${j}=${v}`).join('&') : body;
        const res = await h.service.app!.inject({ method, url, headers, payload });
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      });
    await fc.assert(request(ADMIN_ROUTES, true), { numRuns: 500, seed: 7 });
    await fc.assert(request(PUBLIC_ROUTES, false), { numRuns: 500, seed: 8 });
  }, 180_000);

  it('hostile bytes in a survey answer: recorded (minus what cannot be stored), never a 5xx, never lost', async () => {
    const signer = new FormSigner(h.te.config.SECRET_KEY);
    await fc.assert(
      fc.asyncProperty(hostileBytes, hostileBytes, fc.integer({ min: 1, max: 5 }), async (comment, honeypotNoise, score) => {
        const payload = new URLSearchParams({ score: String(score), comment, _csrf: signer.sign(`answer:${survey.id}`), ...(honeypotNoise === '\u0000' ? { website: '' } : {}) }).toString();
        const res = await h.service.app!.inject({ method: 'POST', url: survey.path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0' }, payload });
        const stored = comment.replace(/\u0000/g, '').replace(/\r\n/g, '\n').trim();
        if (stored.length > 2000) {
          expect(res.statusCode).toBe(400); // comment too long: the form comes back with the text, nothing is lost silently
          return;
        }
        expect(res.statusCode, JSON.stringify(comment)).toBe(303);
        const active = await h.te.db.selectFrom('responses').select(['score', 'comment']).where('survey_id', '=', survey.id).where('is_active', '=', true).executeTakeFirstOrThrow();
        expect(active.score).toBe(score);
        expect(active.comment ?? '').not.toContain('\u0000');
        expect((active.comment ?? '').length).toBe(stored.length);
      }),
      { numRuns: 150, seed: 9 },
    );
  }, 180_000);

  it('hostile bytes in signed Jira and authenticated ServiceNow pushes: a 2xx or 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBytes, hostileBytes, fc.oneof(hostileBytes, fc.integer()), async (text, key, id) => {
        const jiraBody = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_updated', issue_event_type_name: text, issue: { id, key, fields: { project: { key: 'SUP' }, summary: text, status: { name: text, statusCategory: { key: 'done' } } } }, changelog: { id: text, items: [{ field: 'status', fieldId: 'status', toString: text }] } });
        const signed = await h.service.app!.inject({ method: 'POST', url: '/webhooks/jira/jira', headers: { 'content-type': 'application/json', 'x-hub-signature': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(jiraBody).digest('hex')}`, 'x-atlassian-webhook-identifier': key.slice(0, 30).replace(/[^ -~]/g, '') || 'k' }, payload: jiraBody });
        expect(signed.statusCode, jiraBody.slice(0, 200)).toBeLessThan(500);
        const snowBody = JSON.stringify({ sys_id: 'a'.repeat(32), number: text, state: key, sys_updated_on: text, table: 'incident' });
        const pushed = await h.service.app!.inject({ method: 'POST', url: '/webhooks/servicenow/snow', headers: { 'content-type': 'application/json', 'x-feedback-secret': WEBHOOK_SECRET }, payload: snowBody });
        expect(pushed.statusCode, snowBody.slice(0, 200)).toBeLessThan(500);
      }),
      { numRuns: 200, seed: 10 },
    );
  }, 180_000);
});
