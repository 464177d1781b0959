import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsPool, isAbortError } from '../src/analytics/reader.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { createTestEnv, waitFor, type TestEnv } from './support/env.js';
import { freePort } from './support/free-port.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/**
 * Analytics run on their own small pool with a statement timeout, and are cancelled in Postgres
 * when the client goes away: survey pages, webhooks and /readyz never wait behind a dashboard.
 */

const analyticsBackends = async (db: TestEnv['db'], state?: string) =>
  (await sql<{ pid: number; state: string; wait: string | null; query: string }>`
    SELECT pid, state, wait_event_type AS wait, query FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = 'feedback-analytics' ${state ? sql`AND state = ${state}` : sql``}`.execute(db)).rows;

describe('the analytics pool', () => {
  let te: TestEnv;
  let pool: AnalyticsPool;
  beforeAll(async () => {
    te = await createTestEnv();
    pool = new AnalyticsPool(te.config.DATABASE_URL, { max: 2, statementTimeoutMs: 300, cancelBackend: async (pid) => void (await sql`SELECT pg_cancel_backend(${pid})`.execute(te.db)) });
  });
  afterAll(async () => {
    await pool?.close();
    await te?.cleanup();
  });

  it('stops a statement at the timeout with a 503 that says why', async () => {
    const err = await pool.reader().rows(sql`SELECT pg_sleep(5)`).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 503, message: expect.stringMatching(/took longer than 300 ms \(ANALYTICS_STATEMENT_TIMEOUT_MS\)/) });
  });

  it('cancels the running query in Postgres when the signal aborts, and refuses new ones', async () => {
    const slow = new AnalyticsPool(te.config.DATABASE_URL, { max: 2, statementTimeoutMs: 60_000, cancelBackend: async (pid) => void (await sql`SELECT pg_cancel_backend(${pid})`.execute(te.db)) });
    try {
      const controller = new AbortController();
      const reader = slow.reader(controller.signal);
      const running = reader.rows(sql`SELECT pg_sleep(30)`).catch((e: unknown) => e);
      await waitFor('the query running', async () => (await analyticsBackends(te.db, 'active')).some((b) => b.query.includes('pg_sleep(30)')));
      controller.abort();
      expect(isAbortError(await running)).toBe(true);
      await waitFor('no analytics query left running', async () => !(await analyticsBackends(te.db, 'active')).some((b) => b.query.includes('pg_sleep')));
      expect(isAbortError(await reader.rows(sql`SELECT 1`).catch((e: unknown) => e))).toBe(true);
      // The connection went back clean: the next reader uses it at once.
      expect(await slow.reader().rows(sql<{ x: number }>`SELECT 1 AS x`)).toEqual([{ x: 1 }]);
    } finally {
      await slow.close();
    }
  });

  it('a cursor stopped early ends its transaction and gives its connection back', async () => {
    const reader = pool.reader();
    let batches = 0;
    for await (const rows of reader.cursor(sql<{ g: number }>`SELECT g FROM generate_series(1, 10000) g`, 100)) {
      expect(rows).toHaveLength(100);
      if (++batches === 3) break;
    }
    expect(pool.pool.idleCount + pool.pool.waitingCount).toBeGreaterThan(0);
    expect((await analyticsBackends(te.db)).every((b) => b.state === 'idle')).toBe(true);
    const all: number[] = [];
    for await (const rows of pool.reader().cursor(sql<{ g: number }>`SELECT g FROM generate_series(1, ${250}::int) g`, 100)) all.push(...rows.map((r) => r.g));
    expect(all).toHaveLength(250);
  });
});

describe('dashboards that hang and are abandoned', () => {
  let h: Harness;
  let locker: pg.Client;
  beforeAll(async () => {
    const port = await freePort();
    // A small pipeline pool: had the dashboards shared it, nothing else could get a connection.
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DB_POOL_MAX: '3', ANALYTICS_DB_POOL_MAX: '3', ANALYTICS_STATEMENT_TIMEOUT_MS: '120000' });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' } }))).status).toBe(201);
    locker = new pg.Client({ connectionString: h.te.config.DATABASE_URL });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => {});
    await h?.close();
  });

  it('/readyz and a survey answer go through while five dashboards wait, and the dashboards stop in Postgres once abandoned', async () => {
    // A survey to answer, through the pipeline.
    const caller = h.sim.createUser({ user_name: 'c', name: 'Cay', email: 'cay@example.com' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'VPN' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('the survey email', () => transport.sent.length === 1);
    const link = /href="(http[^"]+\/s\/[^"?]+)/.exec(transport.sent[0]!.html)![1]!;

    // Every analytics query reads the rollups' state first: holding it locked makes them hang.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE analytics_rollup_state IN ACCESS EXCLUSIVE MODE');
    const base = h.service.url!;
    const auth = { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}` };
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const dashboards = controllers.map((c, i) => fetch(`${base}/admin/dashboard?from=2022-01-01&to=2026-12-31&n=${i}`, { headers: auth, signal: c.signal }).then(() => 'answered', (e: Error) => e.name));
    const stuck = async () =>
      (await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%analytics_rollup_state%'`.execute(h.te.db)).rows[0]!.n;
    await waitFor('three dashboard queries stuck', async () => Number(await stuck()) === 3);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const posted = await fetch(link, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' }, body: new URLSearchParams({ _csrf: csrf, score: '4', comment: 'ok' }).toString() });
    expect(posted.status).toBe(303);

    for (const c of controllers) c.abort();
    expect(await Promise.all(dashboards)).toEqual(Array(5).fill('AbortError'));
    // Cancelled in Postgres while the lock is still held: nothing of theirs is left waiting or running.
    await waitFor('the abandoned dashboards cancelled', async () => Number(await stuck()) === 0 && (await analyticsBackends(h.te.db)).every((b) => b.state === 'idle'), 15_000);
    await locker.query('ROLLBACK');

    // And the analytics pool serves the next dashboard.
    const after = await fetch(`${base}/admin/dashboard`, { headers: auth });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('Satisfaction dashboard');
  }, 60_000);
});
