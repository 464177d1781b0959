import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { adfToText } from '../src/connectors/jira/adf.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';

/**
 * Issue 13 item 4, end to end through the simulators: a detractor who changes 1 → 5 gets an update note
 * and structured data that describe the 5 (not "unhappy", detractor false), and the open follow-up task
 * is told once that the customer is no longer unhappy; a further change on the same side adds no task note.
 */
const SECRET = 'jira-webhook-secret-0123456789';
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' };
const count = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);

async function answer(h: Harness, score: number, comment: string) {
  const mail = (h.service.ctx.mail.transport as MemoryTransport).sent[0]!;
  const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
  const page = await h.api('GET', path, undefined, { token: null });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const r = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score), comment }).toString() });
  expect(r.status).toBe(303);
}

/** Waits until the n-th answer is written back and, when a task is open, its change was considered. */
async function settled(h: Harness, answers: number) {
  await waitFor(`answer ${answers} written back`, async () => (await count(h, "SELECT count(*) AS n FROM writebacks WHERE status IN ('done', 'superseded')")) === answers, 60_000);
  // A detractor's task is created by a follow-up job that starts after the write-back: wait for it too.
  await waitFor('every unhappy answer has its task', async () => (await count(h, "SELECT count(*) AS n FROM responses r WHERE r.is_active AND r.score <= 2 AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.survey_id = r.survey_id AND f.external_id IS NOT NULL)")) === 0, 60_000);
  await waitFor('the task up to date', async () => (await count(h, "SELECT count(*) AS n FROM follow_ups WHERE status = 'open' AND noted_response_id IS DISTINCT FROM response_id")) === 0, 60_000);
}

describe('a changed answer on ServiceNow', () => {
  let h: Harness;
  const notesOn = (id: string) => h.sim.table('sys_journal_field').filter((j) => j.element === 'work_notes' && j.element_id === id).map((j) => j.value!);
  beforeAll(async () => {
    h = await startHarness();
    seedClosedIncidents(h.sim, 1, 1);
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0, fields: { score: 'u_csat_score', detractor: 'u_csat_detractor' } } }));
    await h.api('POST', '/admin/connectors/snow/poll');
    await waitFor('the survey', () => (h.service.ctx.mail.transport as MemoryTransport).sent.length === 1, 60_000);
  }, 120_000);
  afterAll(() => h?.close());

  it('1 → 5: the update says no longer unhappy, the detractor field is false, the task is told once', async () => {
    await answer(h, 1, 'Nobody called back');
    await settled(h, 1);
    const incident = h.sim.table('incident')[0]!;
    const task = h.sim.table('incident_task')[0]!;
    expect(incident.u_csat_detractor).toBe('true');
    expect(notesOn(incident.sys_id!)[0]).toContain('The customer is unhappy: a follow-up task is due by');

    await answer(h, 5, 'They called, all fixed');
    await settled(h, 2);
    const update = notesOn(incident.sys_id!).find((n) => n.startsWith('Customer feedback UPDATED'))!;
    expect(update).toContain('5 of 5 – Very satisfied (was 1)');
    expect(update).not.toContain('is unhappy');
    expect(update).toContain('The customer is no longer unhappy');
    expect(h.sim.table('incident')[0]!.u_csat_detractor).toBe('false');
    expect(h.sim.table('incident')[0]!.u_csat_score).toBe('5');
    const told = notesOn(task.sys_id!);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('The customer is no longer unhappy: they changed their rating to 5 of 5 – Very satisfied (was 1)');

    // 5 → 4: still not unhappy: the ticket gets the update, the task nothing more.
    await answer(h, 4, 'All good');
    await settled(h, 3);
    expect(notesOn(incident.sys_id!).filter((n) => n.startsWith('Customer feedback UPDATED'))).toHaveLength(2);
    expect(notesOn(task.sys_id!)).toHaveLength(1);
    expect(h.sim.table('incident_task')).toHaveLength(1);
  });
});

describe('a changed answer on Jira Cloud', () => {
  let h: Harness;
  let jira: JiraSim;
  let key = '';
  const ours = (k: string) => jira.comments(k).map((c: { body: unknown }) => adfToText(c.body)).filter((t: string) => /Ref FB-[AC]\d+-/.test(t));
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    jira.createProject({ key: 'DEV', name: 'Platform', type: 'software' });
    expect((await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      webhookSecret: SECRET, intake: { mode: 'push' }, jira: { projects: ['DEV'] }, writeBack: { debounceSeconds: 0 },
    })).status).toBe(201);
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira`, secret: SECRET };
    const u = jira.createUser({ displayName: 'Ann', email: 'ann@example.com' });
    key = jira.createIssue({ project: 'DEV', summary: 'VPN', reporter: u.accountId }).key;
    jira.transition(key, 'Done');
    await jira.webhook.flush();
    await waitFor('the survey', () => (h.service.ctx.mail.transport as MemoryTransport).sent.length === 1, 60_000);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await jira?.close();
  });

  it('1 → 5: the issue property says detractor false, the note says so, the follow-up issue is told once', async () => {
    await answer(h, 1, 'Nobody called back');
    await settled(h, 1);
    expect((jira.properties(key) as { csat: { detractor: boolean } }).csat.detractor).toBe(true);
    const link = await waitFor('the follow-up issue linked', () => jira.links().find((l: any) => l.inwardIssue?.key === key));
    const taskKey = link.outwardIssue.key as string;

    await answer(h, 5, 'They called, all fixed');
    await settled(h, 2);
    const csat = (jira.properties(key) as { csat: { detractor: boolean; score: number; followUpDueAt: string | null } }).csat;
    expect(csat).toMatchObject({ score: 5, detractor: false });
    expect(csat.followUpDueAt).not.toBeNull(); // the task created for the 1 is still open
    const update = ours(key).find((t: string) => t.startsWith('Customer feedback UPDATED'))!;
    expect(update).toContain('5 of 5 – Very satisfied (was 1)');
    expect(update).not.toContain('is unhappy');
    expect(ours(taskKey)).toHaveLength(1);
    expect(ours(taskKey)[0]).toContain('The customer is no longer unhappy: they changed their rating to 5 of 5 – Very satisfied (was 1)');

    await answer(h, 4, 'All good');
    await settled(h, 3);
    expect(ours(taskKey)).toHaveLength(1);
  });
});
