import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { marker } from '../src/lib/markers.js';
import { decideClosure } from '../src/pipeline/stages/decide.js';
import { mapServiceNowRecord } from '../src/connectors/servicenow/map-record.js';
import { recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer } from '../src/store/responses.js';
import { waitFor } from './support/env.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';
import { loopState, scoreFor } from './support/loop.js';
import { spawnMain, type Spawned } from './support/process.js';

const N = 200;
const done = async (h: Harness) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM writebacks WHERE status = 'done'`.execute(h.te.db)).rows[0]!.n);
const openTasks = async (h: Harness) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM follow_ups WHERE status = 'open'`.execute(h.te.db)).rows[0]!.n);

describe('closing the loop through ServiceNow faults and a killed worker', () => {
  let h: Harness;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    // This process serves the API only; the work is done by separate worker processes, one of which is killed.
    h = await startHarness({ ROLES: 'api,scheduler', RECONCILE_INTERVAL_SECONDS: '2', SCHEDULER_SYNC_SECONDS: '1', JOB_LOCK_MS: '3000' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }));
    const { incidents, users } = seedClosedIncidents(h.sim, N, N);
    const byId = new Map(users.map((u) => [u.sys_id!, u]));
    // Surveys already sent and answered (the delivery path is covered elsewhere): answers recorded as the page does.
    const snapshots = incidents.map((r) => {
      const caller = byId.get(r.caller_id!)!;
      return mapServiceNowRecord({ ...r, 'caller_id.email': caller.email, 'caller_id.name': caller.name, 'assignment_group.name': 'Service Desk' }, ['7'])!;
    });
    const closureIds = await recordSnapshots(h.te.db, 'snow', snapshots, 'poll');
    for (const id of closureIds) await decideClosure(h.service.ctx, id);
    await sql`UPDATE surveys SET status = 'sent', sent_at = now(), expires_at = now() + interval '28 days'`.execute(h.te.db);
    const surveys = await h.te.db.selectFrom('surveys').select('id').orderBy('id').execute();
    expect(surveys).toHaveLength(N);
    for (const [i, s] of surveys.entries()) {
      const rid = await drawResponseId(h.te.db);
      await recordAnswer(h.te.db, s.id, rid, { score: scoreFor(i), comment: `comment ${i}`, flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 60 }, marker(h.te.config.SECRET_KEY, 'A', rid));
    }
    h.sim.setFaults({ rate429: 0.3, rate500: 0.1, retryAfterSeconds: 1, latencyMs: [5, 40] });
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await h?.close();
  });

  it('still writes exactly one note per answer and one task per detractor', async () => {
    const env = { ...h.te.env, ROLES: 'worker', WORKER_CONCURRENCY: '8', JOB_LOCK_MS: '3000', LOG_LEVEL: 'warn' };
    workers.push(spawnMain(['work'], env), spawnMain(['work'], env));
    // The reconciler (in this process) enqueues the owed write-backs: nothing was enqueued by hand.
    await waitFor('a third of the notes', async () => (await done(h)) >= N / 3, 150_000, 100);
    workers[0]!.child.kill('SIGKILL'); // mid-run, with jobs in flight
    workers.push(spawnMain(['work'], env));
    await waitFor('every note', async () => (await done(h)) === N, 240_000, 200);
    await waitFor('every task', async () => (await openTasks(h)) === N * 0.3, 180_000, 200).catch(async (e) => {
      const states = await sql`SELECT status, count(*) AS n, max(attempts) AS attempts FROM follow_ups GROUP BY status`.execute(h.te.db);
      throw new Error(`${(e as Error).message}; follow-ups: ${JSON.stringify(states.rows)}; sim: ${JSON.stringify(h.sim.stats().status)}; worker output: ${workers.map((w) => w.output().slice(-3000)).join('\n---\n')}`);
    });

    const s = loopState(h.sim);
    const dupNotes = [...s.notesByTicket.values()].filter((v) => v.length !== 1);
    expect(dupNotes).toEqual([]);
    expect(s.notesByTicket.size).toBe(N);
    expect(s.tasks).toHaveLength(N * 0.3);
    expect(new Set(s.tasks.map((t) => t.incident)).size).toBe(N * 0.3);
    expect(h.sim.stats().status['429'] ?? 0).toBeGreaterThan(10);
    expect(h.sim.stats().status['500'] ?? 0).toBeGreaterThan(5);
  }, 600_000);
});
