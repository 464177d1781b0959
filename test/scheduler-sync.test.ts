import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { SecretBox } from '../src/lib/secret-box.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { Queues } from '../src/pipeline/queues.js';
import { SchedulerRole } from '../src/pipeline/scheduler.js';
import { ConnectorStore } from '../src/store/connectors.js';
import { createTestEnv, type TestEnv } from './support/env.js';

describe('scheduler sync', () => {
  let te: TestEnv;
  let queues: Queues;
  let scheduler: SchedulerRole;
  beforeAll(async () => {
    te = await createTestEnv();
    const connectors = new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY));
    await connectors.save(
      connectorDefinitionSchema.parse({ id: 'snow', name: 'snow', kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, intake: { mode: 'poll', pollIntervalSeconds: 60 } }),
    );
    queues = new Queues(te.redis, te.prefix, 'test');
    scheduler = new SchedulerRole(queues, connectors, createLogger('silent'), { syncSeconds: 3600, reconcileSeconds: 60 });
  });
  afterAll(async () => {
    await queues.close();
    await te.cleanup();
  });

  const pollJobs = async () => (await queues.get('poll').getJobs(['delayed', 'wait', 'prioritized'])).filter(Boolean);

  it('keeps exactly one next poll per connector when synced again', async () => {
    await scheduler.sync();
    await scheduler.sync();
    const jobs = await pollJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toEqual({ connectorId: 'snow' });
  });

  it('gives a schedule its next poll back when a partial Redis wipe took the job but left the schedule', async () => {
    const [next] = await pollJobs();
    // What a SCAN+DEL wipe racing the workers can leave: the scheduler's entry and settings, no next job.
    await te.redis.zrem(`${queues.prefixFor('poll')}:poll:delayed`, next!.id!);
    await te.redis.del(`${queues.prefixFor('poll')}:poll:${next!.id!}`);
    expect(await pollJobs()).toHaveLength(0);
    expect((await queues.get('poll').getJobSchedulers()).map((s) => s.key)).toEqual(['poll-every-snow']);

    await scheduler.sync();
    const jobs = await pollJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toEqual({ connectorId: 'snow' });
  });
});
