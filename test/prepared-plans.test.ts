import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { preparedStatementTexts } from '../src/db/prepared.js';
import { createDb } from '../src/db/client.js';
import { recordAnswer, surveyByToken } from '../src/store/responses.js';
import { recordInboundEvent } from '../src/store/intake.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from './support/env.js';

/**
 * Prepared statements keep the plan Postgres chose while the tables were small (on a fresh installation),
 * and without autovacuum they keep it as the tables grow. So every statement we prepare must get a generic
 * plan, on empty tables, that reaches its rows by key: no sequential scan, and no scan of an index of owed
 * work (pending write-backs, scheduled surveys, …), which grows with a backlog.
 */
const BACKLOG_INDEXES = ['writebacks_pending', 'follow_ups_pending', 'surveys_scheduled', 'surveys_sending', 'closures_pending', 'inbound_events_pending', 'follow_ups_open_due'];
// Tables with a handful of rows whatever the load.
const SMALL_TABLES = new Set(['connectors', 'installation', 'poll_cursors', 'schema_migrations']);

async function genericPlan(client: pg.Client, text: string): Promise<string> {
  const params = (text.match(/\$\d+/g) ?? []).reduce((n, p) => Math.max(n, Number(p.slice(1))), 0);
  const name = `p_${randomBytes(4).toString('hex')}`;
  await client.query(`PREPARE ${name} AS ${text}`);
  try {
    const r = await client.query(`EXPLAIN EXECUTE ${name}(${Array(params).fill('NULL').join(', ')})`);
    return r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query(`DEALLOCATE ${name}`);
  }
}

/** What is wrong with a plan for a statement run once per request, whatever the table sizes. */
function scans(plan: string): string[] {
  const found: string[] = [];
  for (const m of plan.matchAll(/Seq Scan on (\w+)/g)) if (!SMALL_TABLES.has(m[1]!)) found.push(`sequential scan of ${m[1]}`);
  for (const index of BACKLOG_INDEXES) if (new RegExp(`\\b${index}\\b`).test(plan)) found.push(`scan of ${index}`);
  return found;
}

describe('prepared statements', () => {
  let te: TestEnv;
  let client: pg.Client;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'snow');
    client = new pg.Client({ connectionString: te.config.DATABASE_URL });
    await client.connect();
    // The plan Postgres would keep: the generic one, planned on these (empty) tables.
    await client.query('SET plan_cache_mode = force_generic_plan');
    // Run every prepared statement once, so that it is registered.
    const hash = randomBytes(32);
    await surveyByToken(te.db, hash, 'answer', new Date());
    await surveyByToken(te.db, hash, 'answer', new Date(), { drawResponseId: true });
    const answer = { score: 5, comment: null, userAgent: null, clientIpHash: null, secondsSinceSent: 1 };
    await expect(recordAnswer(te.db, '1', '1', { ...answer, flagReasons: [] }, 'FB-A1-x')).rejects.toThrow('does not exist');
    await expect(recordAnswer(te.db, '1', '2', { ...answer, flagReasons: ['honeypot'] }, 'FB-A2-x')).rejects.toThrow('does not exist');
    await recordInboundEvent(te.db, 'snow', { externalId: 'x', dedupeKey: 'x' });
  });
  afterAll(async () => {
    await client?.end();
    await te?.cleanup();
  });

  it('runs the marked statements as named statements on each connection, unless turned off', async () => {
    for (const on of [true, false]) {
      // One connection, so that the session that prepared them is the one asked.
      const { db } = createDb(te.config.DATABASE_URL, 1, { preparedStatements: on });
      await surveyByToken(db, randomBytes(32), 'answer', new Date());
      const r = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_prepared_statements WHERE name LIKE 'fb\\_%'`.execute(db);
      expect(Number(r.rows[0]!.n) > 0).toBe(on);
      await db.destroy();
    }
  });

  it('the check finds a statement whose generic plan would scan', async () => {
    expect(scans(await genericPlan(client, 'SELECT * FROM surveys WHERE id = ANY($1::bigint[])'))).toContain('sequential scan of surveys');
    const supersede = `UPDATE writebacks SET status = 'superseded' WHERE response_id IN (SELECT id FROM responses WHERE survey_id = $1) AND status = 'pending'`;
    expect(scans(await genericPlan(client, supersede))).toEqual(['scan of writebacks_pending']);
  });

  it('every prepared statement reaches its rows by key in its generic plan, on empty tables', async () => {
    const texts = preparedStatementTexts();
    expect(texts.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const text of texts) {
      const plan = await genericPlan(client, text);
      const found = scans(plan);
      if (found.length > 0) problems.push(`${found.join(', ')} in\n${text}\n${plan}`);
    }
    expect(problems).toEqual([]);
  });
});
