import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, type Harness } from './support/harness.js';

/**
 * Issue 13 item 3: Jira calls per closure, counted by the simulator. A pushed closure whose payload and
 * issue carry the reporter's email costs one re-read; /user is asked only for hidden emails, once per
 * account (the answer, "still hidden" included, is remembered), also across the overlapping polls.
 */
const SECRET = 'jira-webhook-secret-0123456789';
const N = 120;
const count = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);
const userCalls = (jira: JiraSim) => jira.stats().log.filter((e) => e.url.split('?')[0]!.endsWith('/user')).length;
const pollOnce = async (h: Harness) => {
  const before = (await h.te.db.selectFrom('poll_cursors').select('last_succeeded_at').executeTakeFirst())?.last_succeeded_at?.getTime() ?? 0;
  expect((await h.api('POST', '/admin/connectors/jira/poll')).status).toBe(202);
  await waitFor('the poll', async () => ((await h.te.db.selectFrom('poll_cursors').select('last_succeeded_at').executeTakeFirst())?.last_succeeded_at?.getTime() ?? 0) > before, 30_000);
};

describe('Jira calls per closure', () => {
  let h: Harness;
  let jira: JiraSim;
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, WORKER_CONCURRENCY: '10' });
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    const created = await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      webhookSecret: SECRET, intake: { mode: 'both', pageSize: 100, pollIntervalSeconds: 3600, overlapSeconds: 3600 }, jira: { projects: ['SUP'] },
    });
    expect(created.status).toBe(201);
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira`, secret: SECRET };
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await jira?.close();
  });

  it('pushed closures with the reporter email in the payload: one call each, no /user look-up', async () => {
    const issues = Array.from({ length: N }, (_, i) => {
      const u = jira.createUser({ displayName: `R${i}`, email: `r${i}@example.com`, locale: 'de_DE' });
      return jira.createIssue({ project: 'SUP', summary: `S${i}`, reporter: u.accountId });
    });
    jira.resetStats();
    for (const i of issues) jira.transition(i.key, 'Done');
    await jira.webhook.flush();
    await waitFor('every closure decided', async () => (await count(h, 'SELECT count(*) AS n FROM survey_decisions')) === N, 60_000);
    const perClosure = jira.stats().requests / N;
    console.log(`pushed, email present: ${jira.stats().requests} Jira calls for ${N} closures = ${perClosure.toFixed(2)} per closure; /user: ${userCalls(jira)}`);
    expect(perClosure).toBeLessThanOrEqual(1.1);
    expect(userCalls(jira)).toBe(0);

    // The same closures read again by a poll (all inside its overlap window): searches only.
    jira.resetStats();
    await pollOnce(h);
    console.log(`polled, email present: ${jira.stats().requests} Jira calls for ${N} closures in the window; /user: ${userCalls(jira)}`);
    expect(userCalls(jira)).toBe(0);
    expect(jira.stats().requests).toBe(Math.ceil(N / 100));
  }, 120_000);

  it('hidden emails: one /user look-up per account, remembered across pushes and polls', async () => {
    const people = Array.from({ length: 5 }, (_, i) => jira.createUser({ displayName: `H${i}`, email: `h${i}@example.com`, hideEmail: true }));
    const issues = Array.from({ length: 40 }, (_, i) => jira.createIssue({ project: 'SUP', summary: `H${i}`, reporter: people[i % 5]!.accountId }));
    jira.resetStats();
    for (const i of issues) jira.transition(i.key, 'Done');
    await jira.webhook.flush();
    await waitFor('every closure decided', async () => (await count(h, 'SELECT count(*) AS n FROM survey_decisions')) === N + 40, 60_000);
    console.log(`pushed, email hidden: ${jira.stats().requests} Jira calls for 40 closures of 5 people; /user: ${userCalls(jira)}`);
    // Each worker process asks once per account (here one process).
    expect(userCalls(jira)).toBe(5);
    expect(await count(h, "SELECT count(*) AS n FROM survey_decisions WHERE reason = 'no_email'")).toBe(40);
    jira.resetStats();
    await pollOnce(h);
    await pollOnce(h);
    console.log(`two polls over ${N + 40} closures: ${jira.stats().requests} Jira calls; /user: ${userCalls(jira)}`);
    expect(userCalls(jira)).toBe(0);
  }, 120_000);
});
