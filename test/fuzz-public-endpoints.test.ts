import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('fuzzing the public endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: '4096' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
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
});
