import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { validateJiraRequest } from '../src/sim/jira/openapi-validator.js';
import { adfToText } from '../src/connectors/jira/adf.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, type Harness } from './support/harness.js';
import { pathTemplate, startCaptureProxy } from './support/capture-proxy.js';
import { scoreFor } from './support/loop.js';

const SECRET = 'jira-webhook-secret-0123456789';
const n = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' };

describe('closing the loop on Jira Cloud / JSM', () => {
  let h: Harness;
  let jira: JiraSim;
  let proxy: Awaited<ReturnType<typeof startCaptureProxy>>;
  const issues: Array<{ id: string; key: string; project: string }> = [];
  let hidden = 0;

  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    proxy = await startCaptureProxy(jira.url);
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, WORKER_CONCURRENCY: '10' });
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    jira.createProject({ key: 'DEV', name: 'Platform', type: 'software' });
    const created = await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira (simulated)', kind: 'jira', baseUrl: proxy.url,
      auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      webhookSecret: SECRET,
      intake: { mode: 'both', pageSize: 20, pollIntervalSeconds: 3600 },
      jira: { projects: ['SUP', 'DEV'] },
      writeBack: { debounceSeconds: 0 },
    });
    expect(created.status).toBe(201);
    const agent = jira.createUser({ displayName: 'Agent', email: 'agent@it.example.com' });
    for (let i = 0; i < 100; i++) {
      const hide = i % 10 === 9;
      if (hide) hidden++;
      const reporter = jira.createUser({ displayName: `Reporter ${i}`, email: `reporter${i}@example.com`, hideEmail: hide, timeZone: 'Europe/Berlin', locale: i % 2 ? 'de_DE' : 'en_US' });
      const project = i % 3 === 0 ? 'DEV' : 'SUP';
      const issue = jira.createIssue({ project, summary: `Issue ${i}`, reporter: reporter.accountId, assignee: agent.accountId });
      issues.push({ ...issue, project });
      jira.transition(issue.key, 'In Progress');
    }
    // 40 close before push is configured (only polling sees them), 60 after (webhooks, 30% delivered twice).
    for (const i of issues.slice(0, 40)) jira.transition(i.key, 'Done');
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira`, secret: SECRET };
    jira.webhook.duplicateRate = 0.3;
    for (const i of issues.slice(40)) jira.transition(i.key, 'Done');
    await jira.webhook.flush();
    await h.api('POST', '/admin/connectors/jira/poll');
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await jira?.close();
  });

  it('records every closure once, from webhooks (with duplicates) and polling across pages', async () => {
    await waitFor('100 closures decided', async () => (await n(h, 'SELECT count(*) AS n FROM survey_decisions')) === 100, 60_000);
    expect(await n(h, 'SELECT count(*) AS n FROM closures')).toBe(100);
    const searches = proxy.captured.filter((c) => c.path.endsWith('/search/jql'));
    expect(searches.length).toBeGreaterThanOrEqual(2); // paged with nextPageToken
    expect((searches[0]!.body as { fields: string[] }).fields).toContain('reporter');
    expect(await n(h, "SELECT count(*) AS n FROM survey_decisions WHERE reason = 'no_email'")).toBe(hidden);
  });

  it('writes one internal comment per answer and one linked follow-up issue per detractor, due 24 h later', async () => {
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('surveys sent', () => transport.sent.length === 100 - hidden, 60_000);
    for (const [i, m] of transport.sent.entries()) {
      const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!).pathname;
      const page = await h.api('GET', path, undefined, { token: null });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(scoreFor(i)), comment: `said ${i}` }).toString() });
    }
    const answered = transport.sent.length;
    const detractors = transport.sent.filter((_, i) => scoreFor(i) <= 2).length;
    await waitFor('every write-back', async () => (await n(h, "SELECT count(*) AS n FROM writebacks WHERE status = 'done'")) === answered, 90_000);
    await waitFor('every follow-up', async () => (await n(h, "SELECT count(*) AS n FROM follow_ups WHERE status = 'open'")) === detractors, 90_000);

    for (const issue of issues) {
      const ours = jira.comments(issue.key).filter((c: { body: unknown }) => /Ref FB-A\d+-/.test(adfToText(c.body)));
      expect(ours.length).toBeLessThanOrEqual(1);
      if (ours.length && issue.project === 'SUP') expect(ours[0].jsdPublic).toBe(false);
    }
    const withNote = issues.filter((i) => jira.comments(i.key).some((c: { body: unknown }) => /Ref FB-A\d+-/.test(adfToText(c.body))));
    expect(withNote).toHaveLength(answered);
    expect(withNote.every((i) => (jira.properties(i.key) as Record<string, { score?: number }>).csat?.score !== undefined)).toBe(true);

    const rows = await h.te.db.selectFrom('follow_ups as f').innerJoin('responses as r', 'r.id', 'f.response_id').innerJoin('tickets as t', 't.id', 'f.ticket_id').select(['f.external_key', 'r.submitted_at', 't.external_key as ticket']).execute();
    expect(rows).toHaveLength(detractors);
    for (const r of rows) {
      const task = jira.issue(r.external_key!);
      expect(task.fields.duedate).toBe(DateTime.fromJSDate(new Date(r.submitted_at.getTime() + 24 * 3600_000), { zone: 'UTC' }).toFormat('yyyy-MM-dd'));
      expect(task.fields.labels).toContain('customer-feedback');
      expect(jira.links().some((l: any) => l.inwardIssue?.key === r.ticket && l.outwardIssue?.key === r.external_key)).toBe(true);
      expect(adfToText(task.fields.description)).toContain('Confirm with the customer');
    }
  });

  it('every request body we sent conforms to the official OpenAPI file (and ADF)', () => {
    const writes = proxy.captured.filter((c) => c.method === 'POST' || c.method === 'PUT');
    const kinds = new Set(writes.map((w) => `${w.method} ${pathTemplate(w.path)}`));
    for (const k of ['POST /rest/api/3/issue', 'POST /rest/api/3/issueLink', 'POST /rest/api/3/issue/{issueIdOrKey}/comment', 'PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', 'POST /rest/servicedeskapi/request/{issueIdOrKey}/comment', 'POST /rest/api/3/search/jql']) {
      expect(kinds).toContain(k);
    }
    const invalid = writes.map((w) => ({ route: `${w.method} ${pathTemplate(w.path)}`, errors: validateJiraRequest(w.method, pathTemplate(w.path), w.body) })).filter((r) => r.errors.length > 0);
    expect(invalid).toEqual([]);
    expect(jira.stats().invalidBodies).toEqual([]);
  });
});
