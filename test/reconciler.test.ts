import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { loadConfig } from '../src/config.js';
import { SecretBox } from '../src/lib/secret-box.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { Queues } from '../src/pipeline/queues.js';
import { startService, type RunningService } from '../src/service.js';
import { createServiceNowSim, type ServiceNowSim } from '../src/sim/servicenow/sim.js';
import { ConnectorStore } from '../src/store/connectors.js';
import { recordInboundEvent, recordSnapshots } from '../src/store/intake.js';
import { createTestEnv, deleteKeys, waitFor, type TestEnv } from './support/env.js';
import { seedClosedIncidents } from './support/harness.js';
import { mapServiceNowRecord } from '../src/connectors/servicenow/map-record.js';

const decisions = async (te: TestEnv) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM survey_decisions`.execute(te.db)).rows[0]!.n);

describe('reconciler', () => {
  let te: TestEnv;
  let sim: ServiceNowSim;
  let service: RunningService | null = null;
  beforeAll(async () => {
    sim = createServiceNowSim();
    await sim.listen(0, '127.0.0.1');
    te = await createTestEnv();
    const store = new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY));
    await store.save(connectorDefinitionSchema.parse({ id: 'snow', name: 'snow', kind: 'servicenow', baseUrl: sim.url, auth: { type: 'basic', username: 'integration', password: 'integration-pass' }, intake: { mode: 'push' } }));
  });
  afterAll(async () => {
    await service?.stop();
    await sim.close();
    await te.cleanup();
  });

  const snapshotsOf = (records: Record<string, string>[]) =>
    records.map((r) => {
      const caller = sim.table('sys_user').find((u) => u.sys_id === r.caller_id)!;
      return mapServiceNowRecord({ ...r, 'caller_id.email': caller.email, 'caller_id.time_zone': caller.time_zone }, ['7'])!;
    });

  it('brings back closures stored but never decided after Redis lost its data', async () => {
    const { incidents } = seedClosedIncidents(sim, 60, 60);
    const queues = new Queues(te.redis, te.prefix, (await te.db.selectFrom('installation').select('id').executeTakeFirstOrThrow()).id);
    // 40 closures committed and enqueued; 20 committed, then a "crash" before the enqueue.
    const enqueued = await recordSnapshots(te.db, 'snow', snapshotsOf(incidents.slice(0, 40)), 'poll');
    await queues.enqueueMany('decide', enqueued.map((closureId) => ({ closureId })));
    await recordSnapshots(te.db, 'snow', snapshotsOf(incidents.slice(40, 60)), 'poll');
    // A push notification stored, never enqueued, for a ticket closed since.
    const late = sim.createIncident({ caller_id: sim.table('sys_user')[0]!.sys_id!, short_description: 'late' });
    sim.closeIncident(late.sys_id!);
    expect(await recordInboundEvent(te.db, 'snow', { externalId: late.sys_id!, dedupeKey: 'late-1' })).not.toBeNull();
    expect(await queues.get('decide').count()).toBe(40);
    await queues.close();

    await deleteKeys(te.redis, `${te.prefix}:*`); // Redis loses everything
    expect(await decisions(te)).toBe(0);

    const config = loadConfig({ ...te.env, ROLES: 'worker,scheduler', RECONCILE_INTERVAL_SECONDS: '1', SCHEDULER_SYNC_SECONDS: '1' });
    service = await startService(config, createLogger('silent'));
    await waitFor('61 decisions', async () => (await decisions(te)) === 61);
    const perClosure = await sql<{ n: string }>`SELECT max(cnt)::text AS n FROM (SELECT count(*) AS cnt FROM survey_decisions GROUP BY closure_id) x`.execute(te.db);
    expect(perClosure.rows[0]!.n).toBe('1');
    expect((await te.db.selectFrom('inbound_events').select('result').executeTakeFirstOrThrow()).result).toBe('closure recorded');
  });

  it('recovers again when Redis is flushed while the service runs (schedules come back)', async () => {
    await deleteKeys(te.redis, `${te.prefix}:*`);
    const { incidents } = seedClosedIncidents(sim, 10, 10);
    await recordSnapshots(te.db, 'snow', snapshotsOf(incidents), 'poll');
    await waitFor('71 decisions', async () => (await decisions(te)) === 71);
    const schedulers = await service!.ctx.queues.get('maintenance').getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('reconcile-every');
  });
});
