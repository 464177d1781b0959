import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/lib/secret-box.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { Queues } from '../src/pipeline/queues.js';
import { ConnectorStore } from '../src/store/connectors.js';
import { recordSnapshots } from '../src/store/intake.js';
import { createTestEnv, waitFor, type TestEnv } from './support/env.js';
import { spawnMain, type Spawned } from './support/process.js';

function snapshot(i: number, email: string, closedAt: Date): TicketSnapshot {
  return {
    externalId: String(i).padStart(32, "0"), key: `INC${1000 + i}`, title: 'Laptop', category: 'hardware', subcategory: null, priority: '3', state: '7',
    isClosed: true, closedAt, closeCode: 'Solved', assignmentGroupId: 'g1', assignmentGroupName: 'Desk', assigneeId: 'a1', assigneeName: 'Agent',
    resolverId: 'a1', resolverName: 'Agent', requester: { externalId: `u-${email}`, email, name: 'Person', locale: 'en', timeZone: 'UTC' },
    openedAt: closedAt, updatedAt: closedAt,
  };
}

describe('concurrent decisions for one person', () => {
  let te: TestEnv;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    te = await createTestEnv();
    const store = new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY));
    for (const id of ['snow-a', 'snow-b']) {
      await store.save(connectorDefinitionSchema.parse({ id, name: id, kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' } }));
    }
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await te?.cleanup();
  });

  it('two worker processes give each person exactly one survey and four cooldowns', async () => {
    // 20 people x 5 tickets closed within one minute, split across two connectors (anti-spam is per person).
    const now = Date.now();
    const ids: string[] = [];
    for (let p = 0; p < 20; p++) {
      for (let k = 0; k < 5; k++) {
        const i = p * 5 + k;
        const created = await recordSnapshots(te.db, k % 2 ? 'snow-b' : 'snow-a', [snapshot(i, `person${p}@example.com`, new Date(now - 60_000 + k * 10_000))], 'poll');
        ids.push(...created);
      }
    }
    expect(ids).toHaveLength(100);
    for (let n = 0; n < 2; n++) workers.push(spawnMain(['work'], { ...te.env, WORKER_CONCURRENCY: '20' }));
    // Enqueue only once both processes listen, so they really race for the same people.
    const queues = new Queues(te.redis, te.prefix, (await te.db.selectFrom('installation').select('id').executeTakeFirstOrThrow()).id);
    await waitFor('two workers connected', async () => (await queues.get('decide').getWorkers()).length >= 2, 30_000, 100);
    await queues.enqueueMany('decide', ids.map((closureId) => ({ closureId })));
    await waitFor('100 decisions', async () => Number((await te.db.selectFrom('survey_decisions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n) === 100);

    const rows = await te.db
      .selectFrom('survey_decisions as d')
      .innerJoin('people as p', 'p.id', 'd.person_id')
      .select(['p.email', 'd.outcome', 'd.reason'])
      .execute();
    const byPerson = new Map<string, string[]>();
    for (const r of rows) byPerson.set(r.email, [...(byPerson.get(r.email) ?? []), r.reason]);
    expect(byPerson.size).toBe(20);
    for (const [, reasons] of byPerson) expect(reasons.sort()).toEqual(['cooldown', 'cooldown', 'cooldown', 'cooldown', 'eligible']);
    expect(await te.db.selectFrom('surveys').select('id').execute()).toHaveLength(20);
    await queues.close();
  });
});
