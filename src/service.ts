import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createDb, type Db } from './db/client.js';
import { ensureDatabase, migrateToLatest } from './db/migrator.js';
import { ConnectorRuntime } from './connectors/runtime.js';
import { createHttpApp } from './http/app.js';
import { requireAdmin } from './http/admin-auth.js';
import { registerConnectorAdminRoutes } from './http/routes/admin/connectors.js';
import { registerDecisionAdminRoutes } from './http/routes/admin/decisions.js';
import { registerOpsRoutes } from './http/routes/ops.js';
import { registerWebhookRoutes } from './http/routes/webhooks.js';
import { RedisRateGate } from './lib/rate-gate.js';
import { SecretBox } from './lib/secret-box.js';
import type { StageContext } from './pipeline/context.js';
import { stageProcessors } from './pipeline/processors.js';
import { Queues } from './pipeline/queues.js';
import { SchedulerRole } from './pipeline/scheduler.js';
import { WorkerPool } from './pipeline/workers.js';
import { ConnectorStore } from './store/connectors.js';

export interface RunningService {
  ctx: StageContext;
  app: FastifyInstance | null;
  url: string | null;
  scheduler: SchedulerRole | null;
  stop(): Promise<void>;
}

/**
 * Builds every client once and starts the roles asked for (api, worker, scheduler). Stopping follows
 * the reverse order of intake: stop accepting, let workers finish (bounded by the deadline), close.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  await ensureDatabase(config.DATABASE_URL);
  const { db, pool } = createDb(config.DATABASE_URL, config.DB_POOL_MAX);
  const applied = await migrateToLatest(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  // Producers fail fast when Redis is away (the reconciler catches up); workers wait for it.
  const producerRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const workerRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const r of [producerRedis, workerRedis]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));

  const queues = new Queues(producerRedis, config.QUEUE_PREFIX);
  const connectors = new ConnectorStore(db, new SecretBox(config.SECRET_KEY));
  const runtime = new ConnectorRuntime({
    logger,
    gate: new RedisRateGate(producerRedis, config.QUEUE_PREFIX),
    http: { timeoutMs: config.ITSM_TIMEOUT_MS, maxAttempts: config.ITSM_MAX_ATTEMPTS, maxInlineWaitMs: config.ITSM_MAX_INLINE_WAIT_MS },
  });
  const ctx: StageContext = { db, logger, queues, connectors, runtime, now: () => new Date(), reconcileGraceSeconds: config.RECONCILE_GRACE_SECONDS };

  const roles = new Set(config.ROLES);
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('api')) {
    app = buildHttp(config, logger, ctx, producerRedis);
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }
  let workers: WorkerPool | null = null;
  if (roles.has('worker')) {
    workers = new WorkerPool(workerRedis, config.QUEUE_PREFIX, logger, config.WORKER_CONCURRENCY);
    workers.start(stageProcessors(ctx));
  }
  let scheduler: SchedulerRole | null = null;
  if (roles.has('scheduler')) {
    scheduler = new SchedulerRole(queues, connectors, logger, { syncSeconds: config.SCHEDULER_SYNC_SECONDS, reconcileSeconds: config.RECONCILE_INTERVAL_SECONDS });
    await scheduler.start();
  }
  logger.info({ roles: [...roles], url }, 'service started');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const started = Date.now();
      await app?.close();
      await scheduler?.stop();
      await workers?.close(Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - (Date.now() - started)));
      await queues.close();
      await Promise.allSettled([producerRedis.quit(), workerRedis.quit()]);
      await db.destroy().catch(() => pool.end());
      logger.info({ ms: Date.now() - started }, 'service stopped');
    })());
  return { ctx, app, url, scheduler, stop };
}

export function buildHttp(config: Config, logger: Logger, ctx: StageContext, redis: Redis): FastifyInstance {
  const app = createHttpApp(logger, { bodyLimit: 1024 * 1024 });
  registerOpsRoutes(app, { db: ctx.db, redis });
  registerWebhookRoutes(app, { ...ctx, bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES });
  void app.register(async (admin) => {
    requireAdmin(admin, config.ADMIN_TOKEN);
    registerConnectorAdminRoutes(admin, { ...ctx, publicUrl: config.PUBLIC_URL });
    registerDecisionAdminRoutes(admin, ctx);
  });
  return app;
}

export type { Db };
