import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { adfToText } from '../src/connectors/jira/adf.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';
import { startCaptureProxy } from './support/capture-proxy.js';

/**
 * Issue 13 item 13, end to end: a customer's comment full of markup (checklist lines, headings, macros,
 * links, images) reaches agents as text on every target — Jira Cloud ADF comment and follow-up
 * description, JSM internal comment (wiki markup), ServiceNow work note and task description.
 */
const SECRET = 'jira-webhook-secret-0123456789';
const HOSTILE = [
  'Not happy.',
  '[ ] 9. Approve a 500 EUR refund',
  'h1. Escalate now',
  '{code}<img src=x onerror=alert(1)>{code} [code]<b>x</b>[/code]',
  '[click here|http://evil.example] !http://evil.example/i.png!',
  '*bold* {color:red}red{color}',
].join('\n');
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' };
const count = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);

async function answerAll(h: Harness, score: number, comment: string) {
  for (const m of (h.service.ctx.mail.transport as MemoryTransport).sent) {
    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!).pathname;
    const page = await h.api('GET', path, undefined, { token: null });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const r = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score), comment }).toString() });
    expect(r.status).toBe(303);
  }
}

type Node = { type: string; text?: string; content?: Node[] };
const types = (n: Node): string[] => [n.type, ...(n.content ?? []).flatMap(types)];

describe('customer text never becomes structure: Jira Cloud and JSM', () => {
  let h: Harness;
  let jira: JiraSim;
  let proxy: Awaited<ReturnType<typeof startCaptureProxy>>;
  const keys: Record<'SUP' | 'DEV', string> = { SUP: '', DEV: '' };
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    proxy = await startCaptureProxy(jira.url);
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    jira.createProject({ key: 'DEV', name: 'Platform', type: 'software' });
    expect((await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: proxy.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      webhookSecret: SECRET, intake: { mode: 'push' }, jira: { projects: ['SUP', 'DEV'] }, writeBack: { debounceSeconds: 0 },
    })).status).toBe(201);
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira`, secret: SECRET };
    for (const project of ['SUP', 'DEV'] as const) {
      const u = jira.createUser({ displayName: `${project} reporter`, email: `${project.toLowerCase()}@example.com` });
      keys[project] = jira.createIssue({ project, summary: 'VPN\n[ ] 10. Wire money *now*', reporter: u.accountId }).key;
      jira.transition(keys[project], 'Done');
    }
    await jira.webhook.flush();
    await waitFor('two surveys', () => (h.service.ctx.mail.transport as MemoryTransport).sent.length === 2, 60_000);
    await answerAll(h, 1, HOSTILE);
    await waitFor('two notes and two tasks', async () => (await count(h, "SELECT count(*) AS n FROM writebacks WHERE status = 'done'")) === 2 && (await count(h, "SELECT count(*) AS n FROM follow_ups WHERE status = 'open'")) === 2, 60_000);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await jira?.close();
  });

  it('ADF comment: the comment is text nodes only, every line as written', () => {
    const sent = proxy.captured.find((c) => c.method === 'POST' && c.path === `/rest/api/3/issue/${jira.issue(keys.DEV).id}/comment`)!;
    const body = (sent.body as { body: Node }).body;
    expect(new Set(types(body))).toEqual(new Set(['doc', 'paragraph', 'text', 'hardBreak']));
    for (const line of HOSTILE.split('\n')) expect(adfToText(body)).toContain(line);
  });

  it('follow-up description: the eight recovery steps are the only checklist items', () => {
    for (const key of Object.values(keys)) {
      const link = jira.links().find((l: any) => l.inwardIssue?.key === key)!;
      const task = jira.issue(link.outwardIssue.key);
      const items = types(task.fields.description).filter((t) => t === 'taskItem');
      expect(items).toHaveLength(8);
      const text = adfToText(task.fields.description);
      expect(text).toContain('[ ] 9. Approve a 500 EUR refund');
      expect(text).toContain('\n[ ] 10. Wire money *now*'); // the ticket's title is customer text too
    }
  });

  it('JSM internal comment: wiki markup in the customer\'s text is escaped', () => {
    const sent = proxy.captured.find((c) => c.method === 'POST' && c.path === `/rest/servicedeskapi/request/${jira.issue(keys.SUP).id}/comment`)!;
    const body = (sent.body as { body: string }).body;
    expect(typeof body).toBe('string');
    expect(body).toContain('\\[ \\] 9. Approve a 500 EUR refund');
    expect(body).toContain('\n&#104;1. Escalate now');
    expect(body).toContain('\\{code\\}');
    expect(body).toContain('\\[click here\\|http&#58;//evil.example\\] \\!http&#58;//evil.example/i.png\\!');
    expect(body).not.toMatch(/(^|[^\\])\{code\}|(^|[^\\])\[click|(^|\n)h1\. /);
  });
});

describe('customer text never becomes structure: ServiceNow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    seedClosedIncidents(h.sim, 1, 1);
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }));
    await h.api('POST', '/admin/connectors/snow/poll');
    await waitFor('the survey', () => (h.service.ctx.mail.transport as MemoryTransport).sent.length === 1, 60_000);
    await answerAll(h, 1, HOSTILE);
    await waitFor('the note and the task', async () => (await count(h, "SELECT count(*) AS n FROM follow_ups WHERE status = 'open'")) === 1, 60_000);
  }, 120_000);
  afterAll(() => h?.close());

  it('work note and task description cannot open a [code] block', () => {
    const note = h.sim.table('sys_journal_field').find((j) => j.element === 'work_notes' && j.value!.includes('Escalate'))!.value!;
    const task = h.sim.table('incident_task')[0]!.description!;
    for (const text of [note, task]) {
      expect(text).not.toMatch(/\[\/?code\]/i);
      expect(text).toContain('［code］<b>x</b>［/code］');
      expect(text).toContain('［ ］ 9. Approve a 500 EUR refund');
    }
    expect(task).toContain('[ ] 8. Confirm'); // our own checklist keeps its brackets
  });
});
