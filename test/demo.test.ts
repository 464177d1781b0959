import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adfToText } from '../src/connectors/jira/adf.js';
import { dropDatabase } from '../src/db/admin.js';
import { createDb, type Db } from '../src/db/client.js';
import { RedisFactory } from '../src/redis/factory.js';
import { deleteKeys, PG_BASE, REDIS_URL, waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { spawnMain, type Spawned } from './support/process.js';

/**
 * `npm run demo` as a user runs it (its own process, through tsx), against this run's Postgres and
 * Redis: both simulators feed the service, and the Jira side closes the whole loop too. It runs until
 * the checks pass, then SIGTERM stops it, as Ctrl+C would.
 */
describe('the demo', () => {
  const suffix = randomBytes(5).toString('hex');
  const prefix = `fbt${suffix}`;
  // Ends in _demo, so the demo uses this database itself (it empties it at start) instead of deriving one.
  const url = new URL(PG_BASE);
  url.pathname = `/fb_test_${suffix}_demo`;
  const databaseUrl = url.toString();
  let demo: Spawned;
  let db: Db | undefined;
  let jiraUrl = '';
  const count = async (query: string) => Number((await sql<{ n: string }>`${sql.raw(query)}`.execute(db!)).rows[0]!.n);

  beforeAll(async () => {
    const port = await freePort();
    demo = spawnMain(['demo'], { DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'warn' });
    jiraUrl = await waitFor('the banner', () => /Jira sim\s+(http:\/\/\S+)/.exec(demo.output())?.[1], 90_000, 100);
    db = createDb(databaseUrl, 2).db;
  }, 120_000);

  afterAll(async () => {
    if (demo && demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill('SIGKILL');
    await db?.destroy();
    await dropDatabase(databaseUrl);
    const redis = new RedisFactory(REDIS_URL).create({ kind: 'test', use: 'blocking' });
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  });

  it('decides Jira closures, surveys their reporters and writes the answers back as comments in the Jira sim', async () => {
    await waitFor('a decision on a Jira closure', async () => (await count("SELECT count(*) AS n FROM survey_decisions WHERE connector_id = 'demo-jira'")) > 0, 60_000, 200);
    await waitFor('a survey sent for a Jira issue', async () => (await count("SELECT count(*) AS n FROM surveys WHERE connector_id = 'demo-jira' AND sent_at IS NOT NULL")) > 0, 60_000, 200);
    // Simulated customers answer from the mail viewer; the answer reaches the Jira sim as our comment.
    const commented = await waitFor(
      'an answer written back as a comment in the Jira sim',
      async () => {
        const issues = (await (await fetch(`${jiraUrl}/sim/issues`)).json()) as Array<{ key: string }>;
        for (const i of issues) {
          const comments = (await (await fetch(`${jiraUrl}/sim/issues/${i.key}/comments`)).json()) as Array<{ body: unknown }>;
          if (comments.some((c) => /Ref FB-A\d+-/.test(adfToText(c.body)))) return i.key;
        }
        return undefined;
      },
      90_000,
      500,
    );
    expect(commented).toMatch(/^DEMO-\d+$/);
    expect(await count("SELECT count(*) AS n FROM writebacks w JOIN surveys s ON s.id = w.survey_id WHERE s.connector_id = 'demo-jira' AND w.status = 'done'")).toBeGreaterThan(0);
    // Both connectors show in the printed decisions: ServiceNow incidents and Jira issues by their keys.
    await waitFor('the comment printed', () => new RegExp(`${commented}\\s+comment\\s+→ answer \\d written on the issue`).test(demo.output()), 10_000, 100);
    expect(demo.output()).toMatch(/INC\d+\s+.+ via \w+\s+→ /);
    expect(demo.output()).toMatch(/DEMO-\d+\s+.+ via \w+\s+→ /);
  }, 200_000);

  it('stops on SIGTERM with a summary of both sides, and stops the Jira simulator with it', async () => {
    demo.child.kill('SIGTERM');
    const { code } = await demo.exited;
    expect(code).toBe(0);
    const summary = /ServiceNow tickets and (\d+) Jira issues closed in this run[\s\S]*Jira comments: (\d+), follow-up issues: (\d+)/.exec(demo.output());
    expect(summary, demo.output().slice(-2000)).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(0);
    expect(Number(summary![2])).toBeGreaterThan(0);
    await expect(fetch(`${jiraUrl}/sim/issues`)).rejects.toThrow();
  }, 60_000);
});
