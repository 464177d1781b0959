import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { pendingMigrations } from '../../db/migrator.js';
import type { Queues } from '../../pipeline/queues.js';

/** How long each readiness check may take before it counts as down. */
export const READY_TIMEOUT_MS = 2000;

/**
 * Liveness (the process answers) and readiness: Postgres answers, the schema is current, and every
 * queue answers a real BullMQ read — on Redis Cluster the queues live on different masters, and a PING
 * to one node says nothing about the others. 503 names what is down (`down: ["redis"]`).
 */
export function registerOpsRoutes(app: FastifyInstance, deps: { db: Db; queues: Queues; redisWhere: string }) {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_req, reply) => {
    const [postgres, redis, migrations] = await Promise.all([
      check(sql`SELECT 1`.execute(deps.db).then(() => 'ok')),
      queuesReachable(deps.queues, deps.redisWhere),
      check(pendingMigrations(deps.db).then((p) => (p.length === 0 ? 'ok' : `pending: ${p.join(', ')}`))),
    ]);
    const checks = { postgres, redis, migrations };
    const down = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
    return reply.status(down.length ? 503 : 200).send({ ok: down.length === 0, checks, down });
  });
}

/** A cheap read of every queue's counts through BullMQ (a Lua script over the queue's keys, in its slot). */
async function queuesReachable(queues: Queues, where: string): Promise<string> {
  const results = await Promise.all(
    queues.all().map(async (q) => ({ name: q.name, result: await check(q.getJobCounts('wait').then(() => 'ok')) })),
  );
  const failed = results.filter((r) => r.result !== 'ok');
  if (failed.length === 0) return 'ok';
  const reasons = [...new Set(failed.map((f) => f.result))].join('; ');
  return `queues ${failed.map((f) => f.name).join(', ')} unreachable at ${where}: ${reasons}`;
}

async function check(p: Promise<string>): Promise<string> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<string>((_, rej) => (t = setTimeout(() => rej(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)))]);
  } catch (e) {
    return (e as Error).message;
  } finally {
    clearTimeout(t);
  }
}
