import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createLogger } from '../src/logger.js';
import { marker } from '../src/lib/markers.js';
import { MemoryRateGate } from '../src/lib/rate-gate.js';
import { decideClosure } from '../src/pipeline/stages/decide.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { JiraConnector } from '../src/connectors/jira/connector.js';
import type { JiraDefinition } from '../src/connectors/jira/definition.js';
import { adfToText } from '../src/connectors/jira/adf.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer } from '../src/store/responses.js';
import { waitFor } from './support/env.js';
import { startHarness, type Harness } from './support/harness.js';
import { scoreFor } from './support/loop.js';
import { spawnMain, type Spawned } from './support/process.js';

const N = 100;
const count = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);

describe('closing the loop on Jira through 429/5xx faults and a killed worker', () => {
  let h: Harness;
  let jira: JiraSim;
  const workers: Spawned[] = [];
  const keys: string[] = [];
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud', seed: 11 });
    await jira.listen(0, '127.0.0.1');
    h = await startHarness({ ROLES: 'api,scheduler', RECONCILE_INTERVAL_SECONDS: '2', SCHEDULER_SYNC_SECONDS: '1', JOB_LOCK_MS: '3000' });
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    const def = connectorDefinitionSchema.parse({
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      intake: { mode: 'push' }, jira: { projects: ['SUP'] }, writeBack: { debounceSeconds: 0 },
    });
    await h.service.ctx.connectors.save(def);
    for (let i = 0; i < N; i++) {
      const u = jira.createUser({ displayName: `R${i}`, email: `r${i}@example.com` });
      const issue = jira.createIssue({ project: 'SUP', summary: `S${i}`, reporter: u.accountId });
      jira.transition(issue.key, 'Done');
      keys.push(issue.key);
    }
    // Surveys already sent and answered (delivery is covered elsewhere): answers recorded as the page does.
    const reader = new JiraConnector(def as JiraDefinition, { logger: createLogger('silent'), gate: new MemoryRateGate(), http: { timeoutMs: 5000, maxAttempts: 3, maxInlineWaitMs: 5000 } });
    const snapshots = await Promise.all(keys.map(async (k) => (await reader.fetchTicket(jira.issue(k).id))!));
    for (const id of await recordSnapshots(h.te.db, 'jira', snapshots, 'webhook')) await decideClosure(h.service.ctx, id);
    await sql`UPDATE surveys SET status = 'sent', sent_at = now(), expires_at = now() + interval '28 days'`.execute(h.te.db);
    const surveys = await h.te.db.selectFrom('surveys').select('id').orderBy('id').execute();
    expect(surveys).toHaveLength(N);
    for (const [i, s] of surveys.entries()) {
      const rid = await drawResponseId(h.te.db);
      await recordAnswer(h.te.db, s.id, rid, { score: scoreFor(i), comment: `c${i}`, flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 60 }, marker(h.te.config.SECRET_KEY, 'A', rid));
    }
    jira.setFaults({ rate429: 0.15, rate503: 0.05, rate500: 0.05, retryAfterSeconds: 1, latencyMs: [5, 30] });
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await h?.close();
    await jira?.close();
  });

  it('still writes exactly one comment per answer and one linked follow-up issue per detractor', async () => {
    const env = { ...h.te.env, ROLES: 'worker', WORKER_CONCURRENCY: '8', JOB_LOCK_MS: '3000', LOG_LEVEL: 'warn' };
    workers.push(spawnMain(['work'], env), spawnMain(['work'], env));
    await waitFor('a third written', async () => (await count(h, "SELECT count(*) AS n FROM writebacks WHERE status = 'done'")) >= N / 3, 120_000, 100).catch(async (e) => {
      const st = await sql`SELECT status, count(*) AS n FROM writebacks GROUP BY status`.execute(h.te.db);
      throw new Error(`${(e as Error).message}: ${JSON.stringify(st.rows)} ${JSON.stringify(jira.stats().status)} ${workers.map((w) => w.output().slice(-1500)).join('\n--\n')}`);
    });
    workers[0]!.child.kill('SIGKILL');
    workers.push(spawnMain(['work'], env));
    await waitFor('every comment', async () => (await count(h, "SELECT count(*) AS n FROM writebacks WHERE status = 'done'")) === N, 240_000, 200);
    await waitFor('every follow-up', async () => (await count(h, "SELECT count(*) AS n FROM follow_ups WHERE status = 'open'")) === N * 0.3, 240_000, 200);

    for (const k of keys) {
      const ours = jira.comments(k).filter((c: { body: unknown }) => /Ref FB-A\d+-/.test(adfToText(c.body)));
      expect({ k, n: ours.length }).toEqual({ k, n: 1 });
    }
    const followUps = jira.issues().filter((i: any) => (i.fields.labels ?? []).includes('customer-feedback'));
    expect(followUps).toHaveLength(N * 0.3);
    for (const f of followUps) expect(jira.links().filter((l: any) => l.outwardIssue?.key === f.key || l.inwardIssue?.key === f.key)).toHaveLength(1);
    expect(jira.stats().status['429'] ?? 0).toBeGreaterThan(5);
    expect(jira.stats().invalidBodies).toEqual([]);
  }, 600_000);
});
