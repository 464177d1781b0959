import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, seedClosedIncidents, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { waitFor } from './support/env.js';

const count = async (h: Harness, table: 'closures' | 'survey_decisions' | 'tickets' | 'inbound_events') =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(h.te.db)).rows[0]!.n);

async function pollOnce(h: Harness) {
  const before = (await h.te.db.selectFrom('poll_cursors').select('last_succeeded_at').executeTakeFirst())?.last_succeeded_at?.getTime() ?? 0;
  const r = await h.api('POST', '/admin/connectors/snow/poll');
  expect(r.status).toBe(202);
  await waitFor('the poll to finish', async () => {
    const c = await h.te.db.selectFrom('poll_cursors').select('last_succeeded_at').executeTakeFirst();
    return (c?.last_succeeded_at?.getTime() ?? 0) > before;
  });
}

describe('intake: 500 closures by polling and by push', () => {
  let h: Harness;
  let incidents: Record<string, string>[];

  beforeAll(async () => {
    h = await startHarness();
    ({ incidents } = seedClosedIncidents(h.sim, 500, 50));
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
  });
  afterAll(() => h?.close());

  it('ingests every closure exactly once across at least 3 pages, with the caller in the same call', async () => {
    h.sim.resetStats();
    await pollOnce(h);
    const incidentGets = h.sim.stats().log.filter((l) => l.method === 'GET' && l.url.includes('/api/now/table/incident'));
    expect(incidentGets.length).toBeGreaterThanOrEqual(3);
    expect(incidentGets.length).toBeLessThanOrEqual(4); // one request per page: no per-ticket calls
    expect(incidentGets[0]!.url).toContain('caller_id.email');
    expect(await count(h, 'closures')).toBe(500);
    expect(await count(h, 'tickets')).toBe(500);
    const people = await h.te.db.selectFrom('people').select('email').execute();
    expect(people).toHaveLength(50);
    expect(people.every((p) => p.email === p.email.toLowerCase())).toBe(true);
    await waitFor('500 decisions', async () => (await count(h, 'survey_decisions')) === 500);
  });

  it('a second, overlapping poll creates nothing new', async () => {
    await pollOnce(h);
    expect(await count(h, 'closures')).toBe(500);
  });

  it('the same closures pushed by webhook (some twice) create no duplicate closure or decision', async () => {
    const pushes = [...incidents, ...incidents.slice(0, 100)];
    const results = await Promise.all(
      pushes.map((inc) =>
        h.api('POST', '/webhooks/servicenow/snow', { table: 'incident', sys_id: inc.sys_id, number: inc.number, state: '7', sys_updated_on: inc.sys_updated_on }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } }),
      ),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(results.reduce((n, r) => n + r.body.accepted, 0)).toBe(500);
    expect(results.reduce((n, r) => n + r.body.duplicates, 0)).toBe(100);
    await waitFor('every push re-read', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM inbound_events WHERE processed_at IS NULL`.execute(h.te.db)).rows[0]!.n) === 0 && (await count(h, 'inbound_events')) === 500);
    const results2 = await h.te.db.selectFrom('inbound_events').select('result').distinct().execute();
    expect(results2.map((r) => r.result)).toEqual(['closure already known']);
    expect(await count(h, 'closures')).toBe(500);
    expect(await count(h, 'survey_decisions')).toBe(500);
    // 50 people with 10 closures each, default 14-day cooldown: one survey per person.
    const byOutcome = await h.te.db.selectFrom('survey_decisions').select(['outcome', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('outcome').orderBy('outcome').execute();
    expect(byOutcome.map((r) => [r.outcome, Number(r.n)])).toEqual([['suppressed', 450], ['survey', 50]]);
  });

  it('a reopened and closed again ticket is a new closure, suppressed by once-per-ticket', async () => {
    const inc = incidents[0]!;
    h.sim.reopenIncident(inc.sys_id!);
    const reclosed = h.sim.closeIncident(inc.sys_id!, { close_code: 'Solved (Permanently)', at: new Date() });
    const r = await h.api('POST', '/webhooks/servicenow/snow', { table: 'incident', sys_id: inc.sys_id, state: '7', sys_updated_on: reclosed.sys_updated_on }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    expect(r.body).toEqual({ accepted: 1, duplicates: 0 });
    await waitFor('the new closure decided', async () => (await count(h, 'survey_decisions')) === 501);
    const last = await h.te.db.selectFrom('survey_decisions').select(['reason']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(['already_surveyed_ticket', 'cooldown']).toContain(last.reason);
  });
});

describe('intake under ServiceNow rate limiting and errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    seedClosedIncidents(h.sim, 500, 100);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
  });
  afterAll(() => h?.close());

  it('ingests every closure exactly once with 30% 429 + Retry-After and 10% 500, never calling early', async () => {
    h.sim.setFaults({ rate429: 0.3, rate500: 0.1, retryAfterSeconds: 1, latencyMs: [0, 20] });
    h.sim.resetStats();
    await pollOnce(h);
    await pollOnce(h);
    const stats = h.sim.stats();
    expect(stats.status['429'] ?? 0).toBeGreaterThan(0);
    expect(stats.rateLimitViolations).toBe(0);
    expect(await count(h, 'closures')).toBe(500);
    expect(Number((await sql<{ n: string }>`SELECT count(DISTINCT ticket_id) AS n FROM closures`.execute(h.te.db)).rows[0]!.n)).toBe(500);
    await waitFor('500 decisions', async () => (await count(h, 'survey_decisions')) === 500);
  });
});

describe('poll now while a poll is running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    seedClosedIncidents(h.sim, 50, 50);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
  });
  afterAll(() => h?.close());

  it('is not lost: it runs after the current poll and picks up what closed meanwhile', async () => {
    // Another process holds the poll lease (a long poll in progress).
    await sql`INSERT INTO poll_cursors (connector_id, cursor_at, lease_owner, lease_until) VALUES ('snow', now() - interval '1 day', 'other', now() + interval '3 seconds')`.execute(h.te.db);
    expect((await h.api('POST', '/admin/connectors/snow/poll')).status).toBe(202);
    await waitFor('the requested poll to run once the lease is free', async () => (await count(h, 'closures')) === 50, 15_000);
  });
});

describe('a poller that lost its lease', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ROLES: 'api' });
    seedClosedIncidents(h.sim, 20, 20);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
  });
  afterAll(() => h?.close());

  it('moves no cursor: the process that took the lease over owns it', async () => {
    const { pollConnector } = await import('../src/pipeline/stages/poll.js');
    h.sim.setFaults({ latencyMs: [1500, 1500] });
    const running = pollConnector(h.service.ctx, 'snow').then(() => 'finished', (e: Error) => e.message);
    await waitFor('the poll to hold the lease', async () => (await h.te.db.selectFrom('poll_cursors').select('lease_owner').executeTakeFirst())?.lease_owner);
    const before = (await h.te.db.selectFrom('poll_cursors').select('cursor_at').executeTakeFirstOrThrow()).cursor_at;
    // Another process took the lease over (this one looked dead to it).
    await sql`UPDATE poll_cursors SET lease_owner = 'other', lease_until = now() + interval '1 minute'`.execute(h.te.db);
    expect(await running).toMatch(/poll lease lost/);
    h.sim.setFaults({ latencyMs: [0, 0] });
    const after = await h.te.db.selectFrom('poll_cursors').select(['cursor_at', 'lease_owner']).executeTakeFirstOrThrow();
    expect(after).toEqual({ cursor_at: before, lease_owner: 'other' });
  });
});
