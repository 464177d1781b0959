import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { pendingMigrations } from '../../db/migrator.js';

/** Liveness (the process answers) and readiness (its dependencies answer and the schema is current). */
export function registerOpsRoutes(app: FastifyInstance, deps: { db: Db; redis: Redis }) {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      sql`SELECT 1`.execute(deps.db).then(() => (checks.postgres = 'ok'), (e: Error) => (checks.postgres = e.message)),
      withTimeout(deps.redis.ping(), 2000).then(() => (checks.redis = 'ok'), (e: Error) => (checks.redis = e.message)),
      pendingMigrations(deps.db).then(
        (p) => (checks.migrations = p.length === 0 ? 'ok' : `pending: ${p.join(', ')}`),
        (e: Error) => (checks.migrations = e.message),
      ),
    ]);
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}
