import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createDb, type Db } from './db/client.js';
import { ensureDatabase, migrateToLatest } from './db/migrator.js';
import { ConnectorRuntime } from './connectors/runtime.js';
import { stageLoaders } from './pipeline/stage-loaders.js';
import { RedisRateGate } from './lib/rate-gate.js';
import { SecretBox } from './lib/secret-box.js';
import type { StageContext } from './pipeline/context.js';
import { Queues } from './pipeline/queues.js';
import type { SchedulerRole } from './pipeline/scheduler.js';
import { WorkerPool } from './pipeline/workers.js';
import { createTransport } from './mail/create-transport.js';
import { Metrics } from './ops/metrics.js';
import { MailPace } from './pipeline/mail-pace.js';
import { ConnectorStore } from './store/connectors.js';
import { OAuthTokenStore } from './store/oauth-tokens.js';

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
  const { db } = createDb(config.DATABASE_URL, config.DB_POOL_MAX, { preparedStatements: config.DB_PREPARED_STATEMENTS });
  const applied = await migrateToLatest(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  // Producers fail fast when Redis is away (the reconciler catches up); workers wait for it.
  const producerRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const workerRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const r of [producerRedis, workerRedis]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));

  const { id: installationId } = await db.selectFrom('installation').select('id').executeTakeFirstOrThrow();
  const queues = new Queues(producerRedis, config.QUEUE_PREFIX, installationId);
  const connectors = new ConnectorStore(db, new SecretBox(config.SECRET_KEY));
  const gate = new RedisRateGate(producerRedis, config.QUEUE_PREFIX);
  const transport = createTransport(config);
  const metrics = new Metrics({ db, queues });
  const runtime = new ConnectorRuntime({
    logger,
    gate,
    onCall: (c) => metrics.itsmCalls.inc({ connector: c.connectorId, operation: c.operation, status: String(c.status) }),
    http: { timeoutMs: config.ITSM_TIMEOUT_MS, maxAttempts: config.ITSM_MAX_ATTEMPTS, maxInlineWaitMs: config.ITSM_MAX_INLINE_WAIT_MS },
    oauthTokens: new OAuthTokenStore(db, new SecretBox(config.SECRET_KEY)),
  });
  const ctx: StageContext = {
    db,
    logger,
    queues,
    connectors,
    runtime,
    gate,
    loaders: stageLoaders(db, queues, config.JOB_LOCK_MS * 2),
    metrics,
    secret: config.SECRET_KEY,
    now: () => new Date(),
    reconcileGraceSeconds: config.RECONCILE_GRACE_SECONDS,
    reconcileStuckSeconds: config.RECONCILE_STUCK_SECONDS,
    claimLeaseMs: config.JOB_LOCK_MS * 2,
    mail: {
      transport, fromAddress: config.MAIL_FROM, fromName: config.MAIL_FROM_NAME, publicUrl: config.PUBLIC_URL, claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS,
      pace: new MailPace(producerRedis, config.QUEUE_PREFIX, mailLimits(config.MAIL_MAX_PER_SECOND).send),
    },
  };

  const roles = new Set(config.ROLES);
  // Set once stop() begins; batch jobs then start no more items (see runBatchItems).
  let stopping: Promise<void> | null = null;
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('api')) {
    // Loaded for the api role only: a worker process carries no HTTP server, pages, dashboard or Bull Board.
    const { buildHttp } = await import('./http/build-http.js');
    app = buildHttp(config, logger, ctx, producerRedis);
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }
  let workers: WorkerPool | null = null;
  if (roles.has('worker')) {
    workers = new WorkerPool(workerRedis, config.QUEUE_PREFIX, logger, config.WORKER_CONCURRENCY, { remind: mailLimits(config.MAIL_MAX_PER_SECOND).remind }, config.JOB_LOCK_MS, (queue, outcome, seconds) =>
      metrics.jobDuration.observe({ queue, outcome }, seconds),
    );
    const { stageProcessors } = await import('./pipeline/processors.js');
    workers.start(stageProcessors(ctx, config.WORKER_CONCURRENCY, () => stopping !== null));
  }
  let scheduler: SchedulerRole | null = null;
  if (roles.has('scheduler')) {
    const { SchedulerRole } = await import('./pipeline/scheduler.js');
    scheduler = new SchedulerRole(queues, connectors, logger, { syncSeconds: config.SCHEDULER_SYNC_SECONDS, reconcileSeconds: config.RECONCILE_INTERVAL_SECONDS });
    await scheduler.start();
  }
  logger.info({ roles: [...roles], url }, 'service started');

  // Every step is bounded: a hung connection must never keep the process from stopping.
  const bounded = async (what: string, ms: number, step: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      step().then(() => false, (err) => (logger.warn({ err, what }, 'shutdown step failed'), false)),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms))),
    ]);
    clearTimeout(timer);
    if (timedOut) logger.warn({ what, ms }, 'shutdown step timed out; continuing');
  };
  const stop = () =>
    (stopping ??= (async () => {
      const started = Date.now();
      await bounded('http', 5000, async () => app?.close());
      await bounded('scheduler', 2000, async () => scheduler?.stop());
      const left = Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - (Date.now() - started));
      await bounded('workers', left + 2000, async () => workers?.close(left));
      await bounded('queues', 3000, () => queues.close());
      await bounded('mail', 2000, () => transport.close());
      await bounded('redis', 2000, () => Promise.allSettled([producerRedis.quit(), workerRedis.quit()]));
      await bounded('postgres', 3000, () => db.destroy());
      logger.info({ ms: Date.now() - started }, 'service stopped');
    })());
  return { ctx, app, url, scheduler, stop };
}

export type { Db };

/**
 * Survey and reminder sends share MAIL_MAX_PER_SECOND (reminders get a fifth), across all processes:
 * survey sends per email (MailPace: a send job may carry many), reminders by their queue's limiter.
 */
function mailLimits(perSecond: number) {
  const remind = Math.max(1, Math.floor(perSecond / 5));
  return { send: Math.max(1, perSecond - remind), remind: { max: remind, duration: 1000 } };
}
