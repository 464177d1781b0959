import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildRollups, refreshRollups, rollupStatus } from '../src/analytics/facts/rollups.js';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import type { Db } from '../src/db/client.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { seededRandom } from '../src/rules/sampling.js';
import { waitFor } from './support/env.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { spawnMain } from './support/process.js';

/**
 * survey_facts are kept equal to what the source tables say (survey_facts_source) by triggers, through
 * the real pipeline and the changes that come late; and figures read from the rollups are the same,
 * to the last digit, as figures read from survey_facts alone — before, during and after a rebuild.
 */

const FACT_COLUMNS = sql.raw(`survey_id, connector_id, ticket_id, team_key, team_label, agent_key, agent_label, category, priority, scale,
  sent_at, send_outcome, delivered, response_id, score, answered_at, detractor, has_comment, follow_up_id, follow_up_status,
  follow_up_task, follow_up_answer_at, follow_up_created_at, follow_up_closed_at, follow_up_overdue, follow_up_escalated, follow_up_outcome`);

/** Rows in survey_facts that the source tables do not say, and the other way round. */
async function factDrift(db: Db): Promise<{ extra: number; missing: number; facts: number }> {
  const { rows } = await sql<{ extra: string; missing: string; facts: string }>`
    SELECT (SELECT count(*) FROM (SELECT ${FACT_COLUMNS} FROM survey_facts EXCEPT SELECT ${FACT_COLUMNS} FROM survey_facts_source) x) AS extra,
           (SELECT count(*) FROM (SELECT ${FACT_COLUMNS} FROM survey_facts_source EXCEPT SELECT ${FACT_COLUMNS} FROM survey_facts) x) AS missing,
           (SELECT count(*) FROM survey_facts) AS facts`.execute(db);
  return { extra: Number(rows[0]!.extra), missing: Number(rows[0]!.missing), facts: Number(rows[0]!.facts) };
}

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };
async function answer(h: Harness, html: string, score: number, comment: string) {
  const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(html)![1]!).pathname;
  const page = await h.api('GET', path, undefined, { token: null });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const r = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score), comment }).toString() });
  expect(r.status).toBe(303);
}

describe('survey_facts through the pipeline', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ WORKER_CONCURRENCY: '10' });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }))).status).toBe(201);
  });
  afterAll(() => h?.close());

  it('match the source tables after sends, answers, changes of mind, follow-ups, a reassigned ticket, an unknown send and new thresholds', async () => {
    const groups = [h.sim.createGroup({ name: 'Service Desk' }), h.sim.createGroup({ name: 'Network' })];
    const agents = [h.sim.createUser({ user_name: 'a1', name: 'Ann Agent', email: 'a1@it.example.com' }), h.sim.createUser({ user_name: 'a2', name: 'Bo Agent', email: 'a2@it.example.com' })];
    for (let i = 0; i < 12; i++) {
      const caller = h.sim.createUser({ user_name: `c${i}`, name: `Caller ${i}`, email: `c${i}@example.com` });
      const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: `Issue ${i}`, category: i % 3 ? 'hardware' : 'network', priority: String(1 + (i % 4)), assignment_group: groups[i % 2]!.sys_id!, assigned_to: agents[i % 2]!.sys_id! });
      h.sim.closeIncident(inc.sys_id!, { resolved_by: agents[i % 2]!.sys_id! });
    }
    await h.api('POST', '/admin/connectors/snow/poll');
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('12 surveys sent', () => transport.sent.length === 12, 60_000);
    await waitFor('12 facts', async () => (await factDrift(h.te.db)).facts === 12);
    expect(await factDrift(h.te.db)).toEqual({ extra: 0, missing: 0, facts: 12 });

    const mails = transport.sent.slice();
    for (const [i, m] of mails.entries()) if (i < 10) await answer(h, m.html, i < 4 ? 1 + (i % 2) : 4 + (i % 2), i % 2 ? `comment ${i}` : '');
    await waitFor('4 follow-up tasks', async () => (await h.te.db.selectFrom('follow_ups').select('id').where('status', '=', 'open').execute()).length === 4, 60_000);
    await waitFor('facts of the answers', async () => (await factDrift(h.te.db)).missing === 0);
    expect(await factDrift(h.te.db)).toEqual({ extra: 0, missing: 0, facts: 12 });

    // A detractor changes their mind; another survey's outcome was lost; a delivery event; a task closes with an outcome.
    await answer(h, mails[0]!.html, 5, 'they called, fixed');
    await h.te.db.updateTable('surveys').set({ status: 'unknown', sent_at: null }).where('id', '=', mails[11]!.tags.survey_id!).execute();
    await h.te.db.updateTable('surveys').set({ delivered_at: new Date() }).where('id', '=', mails[5]!.tags.survey_id!).execute();
    await h.te.db.updateTable('follow_ups').set({ status: 'closed', closed_at: new Date(), outcome: 'Called back' }).where('survey_id', '=', mails[1]!.tags.survey_id!).execute();
    // The ticket of survey 2 is handed to another team and agent (as a re-fetch would store it).
    const s2 = await h.te.db.selectFrom('surveys').select('ticket_id').where('id', '=', mails[2]!.tags.survey_id!).executeTakeFirstOrThrow();
    await h.te.db.updateTable('tickets').set({ assignment_group_id: 'g-other', assignment_group_name: 'Other', assignee_id: null, assignee_name: 'Someone', category: null }).where('id', '=', s2.ticket_id).execute();
    // Unhappy up to 4 from now on.
    expect((await h.api('PATCH', '/admin/connectors/snow', { followUp: { detractorMax: { csat: 4 } } })).status).toBe(200);
    await waitFor('the changed answer written back', async () => (await h.te.db.selectFrom('writebacks').select('id').where('status', 'in', ['pending', 'claimed']).execute()).length === 0, 60_000);
    expect(await factDrift(h.te.db)).toEqual({ extra: 0, missing: 0, facts: 12 });

    const facts = await h.te.db.selectFrom('survey_facts' as never).selectAll().execute() as unknown as Record<string, unknown>[];
    const bySurvey = new Map(facts.map((f) => [String(f.survey_id), f]));
    expect(bySurvey.get(mails[11]!.tags.survey_id!)).toMatchObject({ send_outcome: 'unknown' });
    expect(bySurvey.get(mails[2]!.tags.survey_id!)).toMatchObject({ team_key: 'snow:g-other', team_label: 'Other', agent_key: 'snow:Someone', category: '' });
    expect(bySurvey.get(mails[4]!.tags.survey_id!)).toMatchObject({ score: 4, detractor: true });
    expect(bySurvey.get(mails[0]!.tags.survey_id!)).toMatchObject({ score: 5, detractor: false, has_comment: true });
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
/**
 * A past follow-up: closed 5 hours after the answer, or still open and long overdue — then already
 * marked overdue and escalated, as the SLA stage would have, so that its first SLA check in the running
 * harness changes nothing (no fact of an old day moves while a test compares rollups with facts).
 */
function pastFollowUp(answeredAt: Date, closed: boolean, withOutcome: boolean): NonNullable<PastSurvey['followUp']> {
  const dueAt = new Date(answeredAt.getTime() + DAY);
  return {
    createdAt: new Date(answeredAt.getTime() + 300_000),
    dueAt,
    closedAt: closed ? new Date(answeredAt.getTime() + 5 * 3_600_000) : null,
    outcome: withOutcome ? 'Called back' : null,
    ...(closed ? {} : { overdueAt: dueAt, escalatedAt: dueAt }),
  };
}

function history(now: Date, count: number): PastSurvey[] {
  const random = seededRandom(20260101);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const teams = ['Service Desk', 'Network', 'Workplace', 'Access'];
  const out: PastSurvey[] = [];
  for (let i = 0; i < count; i++) {
    const connectorId = i % 5 === 0 ? 'nps' : 'snow';
    const scale = connectorId === 'nps' ? 'nps' : 'csat';
    const team = pick(teams);
    const agent = `${team.slice(0, 2)}${Math.floor(random() * 3)}`;
    // 15 months back, denser recently.
    const sentAt = new Date(now.getTime() - Math.floor(Math.pow(random(), 1.3) * 450 * DAY) - Math.floor(random() * DAY));
    const answered = random() < 0.5;
    const score = scale === 'nps' ? Math.floor(random() * 11) : 1 + Math.floor(random() * 5);
    const submittedAt = new Date(sentAt.getTime() + 3_600_000);
    out.push({
      connectorId,
      ticket: { externalId: `h${i}`, key: `INC${50000 + i}`, title: 't', category: random() < 0.1 ? null : pick(['hardware', 'software', 'access']), priority: pick(['1', '2', '3', null]), groupId: team === 'Access' && random() < 0.2 ? null : `g-${team}`, groupName: team, assigneeId: random() < 0.05 ? null : `a-${agent}`, assigneeName: `Agent ${agent}` },
      requester: { email: `h${i}@example.com`, name: `H ${i}` },
      scale,
      sentAt,
      deliveredAt: random() < 0.7 ? new Date(sentAt.getTime() + 1000) : null,
      answer: answered ? { score, comment: random() < 0.4 ? pick(['vpn slow', 'great help', 'printer broken again']) : null, submittedAt } : null,
      followUp: answered && ((scale === 'csat' && score <= 2) || (scale === 'nps' && score <= 6)) ? pastFollowUp(submittedAt, random() < 0.8, random() < 0.5) : null,
    });
  }
  return out;
}

describe('rollups give the figures of survey_facts, to the last digit', () => {
  let h: Harness;
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const ymd = (d: Date) => d.toISOString().slice(0, 10);
  const ranges = [
    { from: ymd(new Date(today.getTime() - 400 * DAY)), to: ymd(today) },
    { from: ymd(new Date(today.getTime() - 300 * DAY)), to: ymd(new Date(today.getTime() - 45 * DAY)) },
  ];
  const queries: string[] = [];
  for (const r of ranges)
    for (const groupBy of ['none', 'connector', 'team', 'agent', 'category', 'priority'])
      for (const interval of ['none', 'week', 'month'])
        for (const filter of ['', '&team=snow:g-Network', '&category=hardware', '&connector=snow'])
          queries.push(`/admin/stats?from=${r.from}&to=${r.to}&groupBy=${groupBy}&interval=${interval}${filter}`);
  for (const r of ranges) {
    queries.push(
      `/admin/stats/follow-ups?from=${r.from}&to=${r.to}&groupBy=team`,
      `/admin/stats/follow-ups?from=${r.from}&to=${r.to}&groupBy=category&connector=snow`,
      `/admin/stats/follow-ups?from=${r.from}&to=${r.to}&groupBy=none&withinMinutes=60`,
      `/admin/stats/follow-ups?from=${r.from}&to=${r.to}&groupBy=connector&team=snow:g-Network`,
      `/admin/stats/themes?from=${r.from}&to=${r.to}`,
      `/admin/stats?from=${r.from}&to=${r.to}&priority=2&groupBy=team&interval=month`,
    );
  }

  /** Every query's answer, read the way the service reads it now. */
  const answers = async () => Promise.all(queries.map(async (q) => [q, (await h.api('GET', q)).body] as const));
  /** The same with the rollups ignored (nothing held: everything from survey_facts). */
  async function factsOnly() {
    const { rows } = await sql<{ until: string }>`SELECT materialized_until::text AS until FROM analytics_rollup_state`.execute(h.te.db);
    await sql`UPDATE analytics_rollup_state SET materialized_until = '-infinity'`.execute(h.te.db);
    try {
      return await answers();
    } finally {
      await sql`UPDATE analytics_rollup_state SET materialized_until = ${rows[0]!.until}::date`.execute(h.te.db);
    }
  }
  const rollupRows = async () => Number((await sql<{ n: string }>`SELECT (SELECT count(*) FROM rollup_team_daily) + (SELECT count(*) FROM rollup_weekly) + (SELECT count(*) FROM rollup_monthly) AS n`.execute(h.te.db)).rows[0]!.n);

  beforeAll(async () => {
    h = await startHarness({ ROLLUP_REFRESH_SECONDS: '86400' });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' } }))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id: 'nps', survey: { scale: 'nps' }, intake: { mode: 'push' } }))).status).toBe(201);
    await insertPastSurveys(h.te.db, history(today, 1500));
  }, 60_000);
  afterAll(() => h?.close());

  it('built rollups hold exactly what survey_facts add up to', async () => {
    const r = await refreshRollups(h.te.db);
    expect(r.dirtyLeft).toBe(0);
    expect(r.until).toBe(ymd(new Date(today.getTime() - 30 * DAY)));
    expect(await rollupRows()).toBeGreaterThan(100);
    // The stored rows against a fresh aggregation of the facts they cover.
    const { rows } = await sql<{ n: string }>`
      SELECT (SELECT count(*) FROM (
                SELECT day, connector_id, team_key, team_label, scale, score, detractor, surveys, delivered FROM rollup_team_daily
                EXCEPT
                SELECT sent_day, connector_id, team_key, team_label, scale, score, detractor, count(*)::int, (count(*) FILTER (WHERE delivered))::int
                FROM survey_facts WHERE sent_day < (SELECT materialized_until FROM analytics_rollup_state) GROUP BY 1, 2, 3, 4, 5, 6, 7) x)
           + (SELECT count(*) FROM (
                SELECT month, connector_id, team_key, team_label, dim_key, scale, score, detractor, surveys, delivered FROM rollup_monthly WHERE dim = 'agent'
                EXCEPT
                SELECT date_trunc('month', sent_day)::date, connector_id, team_key, team_label, agent_key, scale, score, detractor, count(*)::int, (count(*) FILTER (WHERE delivered))::int
                FROM survey_facts WHERE date_trunc('month', sent_day) + interval '1 month' <= (SELECT materialized_until FROM analytics_rollup_state) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) y)
           + (SELECT count(*) FROM (
                SELECT week, connector_id, team_key, team_label, dim_key, scale, score, detractor, surveys, delivered, fu_tasks, fu_outcomes FROM rollup_weekly WHERE dim = 'category'
                EXCEPT
                SELECT date_trunc('week', sent_day)::date, connector_id, team_key, team_label, category, scale, score, detractor, count(*)::int, (count(*) FILTER (WHERE delivered))::int,
                       (count(*) FILTER (WHERE response_id IS NOT NULL AND follow_up_task))::int, (count(*) FILTER (WHERE response_id IS NOT NULL AND follow_up_outcome))::int
                FROM survey_facts WHERE date_trunc('week', sent_day) + interval '1 week' <= (SELECT materialized_until FROM analytics_rollup_state) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) z) AS n`.execute(h.te.db);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it(`every figure (${queries.length} queries) is the same from rollups as from survey_facts alone`, async () => {
    const fromRollups = await answers();
    const fromFacts = await factsOnly();
    for (const [i, [q, body]] of fromRollups.entries()) expect(body, q).toEqual(fromFacts[i]![1]);
    expect(fromRollups.find(([q]) => q.endsWith('groupBy=team&interval=month'))![1].groups.length).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it('a late change to an old day (a changed answer, a reassigned ticket) is exact at once, and after the refresh', async () => {
    const old = await sql<{ survey_id: string; ticket_id: string; response_id: string }>`
      SELECT survey_id, ticket_id, response_id FROM survey_facts WHERE response_id IS NOT NULL AND scale = 'csat' AND sent_at < now() - interval '200 days' ORDER BY survey_id LIMIT 2`.execute(h.te.db);
    const [a, b] = old.rows;
    await sql`UPDATE responses SET is_active = false WHERE id = ${a!.response_id}`.execute(h.te.db);
    await sql`INSERT INTO responses (survey_id, score, comment, submitted_at, is_active) VALUES (${a!.survey_id}, 5, 'changed my mind', now(), true)`.execute(h.te.db);
    await sql`UPDATE tickets SET assignment_group_id = 'g-Network', assignment_group_name = 'Network', category = 'access' WHERE id = ${b!.ticket_id}`.execute(h.te.db);
    expect((await rollupStatus(h.te.db)).dirtyLeft).toBeGreaterThan(0);
    const dirty = await answers();
    expect(dirty.map(([, b]) => b)).toEqual((await factsOnly()).map(([, b]) => b));
    const r = await refreshRollups(h.te.db);
    expect(r.dirtyLeft).toBe(0);
    expect((await answers()).map(([, b]) => b)).toEqual(dirty.map(([, b]) => b));
  }, 120_000);

  it('`rollups rebuild` rebuilds every day from survey_facts and changes no figure', async () => {
    const before = await answers();
    // Damage only a rebuild repairs.
    await sql`DELETE FROM rollup_monthly WHERE dim = 'category'`.execute(h.te.db);
    await sql`DELETE FROM rollup_weekly WHERE dim = 'agent'`.execute(h.te.db);
    const run = spawnMain(['rollups', 'rebuild'], h.te.env);
    expect((await run.exited).code, run.output()).toBe(0);
    expect(run.output()).toMatch(/rebuilt \d+ days \(\d+ marked\) in [\d.]+ s; rollups hold the days before \d{4}-\d{2}-\d{2}/);
    expect((await rollupStatus(h.te.db)).dirtyLeft).toBe(0);
    expect((await answers()).map(([, b]) => b)).toEqual(before.map(([, b]) => b));
    const status = spawnMain(['rollups', 'status'], h.te.env);
    expect((await status.exited).code).toBe(0);
    expect(status.output()).toMatch(/0 days wait to be rebuilt/);
    // And in-process, the same function.
    expect((await rebuildRollups(h.te.db)).dirtyLeft).toBe(0);
  }, 120_000);
});
