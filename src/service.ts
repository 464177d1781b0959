import type { FastifyInstance } from 'fastify';
import { RedisFactory } from './redis/factory.js';
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
import { MailPace } from './pipeline/mail-pace.js';
import { createTransport } from './mail/create-transport.js';
import { Metrics } from './ops/metrics.js';
import { HostPolicy } from './connectors/http/host-policy.js';
import type { RollupRefresher } from './analytics/facts/rollups.js';
import { ConnectorStore } from './store/connectors.js';
import { OAuthTokenStore } from './store/oauth-tokens.js';
import { ActivityRecorder } from './activity/recorder.js';
import type { DigestProviders } from './digest/providers.js';
import { actingDigestProviders } from './digest/acting-providers.js';

export interface RunningService {
  ctx: StageContext;
  app: FastifyInstance | null;
  url: string | null;
  /** The metrics listener's base URL (METRICS_PORT), or null when /metrics is on the api listener. */
  metricsUrl: string | null;
  scheduler: SchedulerRole | null;
  stop(): Promise<void>;
}

/**
 * Builds every client once and starts the roles asked for (api, worker, scheduler). Stopping follows
 * the reverse order of intake: stop accepting, let workers finish (bounded by the deadline), close.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const roles = new Set(config.ROLES);
  await ensureDatabase(config.DATABASE_URL);
  const { db } = createDb(config.DATABASE_URL, config.DB_POOL_MAX, { preparedStatements: config.DB_PREPARED_STATEMENTS });
  const applied = await migrateToLatest(db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  // Every Redis client comes from REDIS_URL through one factory (single node, Sentinel or Cluster), and
  // its errors go to one bounded-rate log. Producers fail fast when Redis is away (the reconciler catches
  // up); workers wait for it.
  const redis = new RedisFactory(config.REDIS_URL, { logger });
  await redis.checkServerMode();
  const producerRedis = redis.create({ kind: 'producer' });
  const workerRedis = roles.has('worker') ? redis.create({ kind: 'worker', use: 'blocking' }) : null;

  const { id: installationId } = await db.selectFrom('installation').select('id').executeTakeFirstOrThrow();
  const queues = new Queues(producerRedis, config.QUEUE_PREFIX, installationId, (err) => redis.report('producer', err));
  const connectors = new ConnectorStore(db, new SecretBox(config.SECRET_KEY));
  const gate = new RedisRateGate(producerRedis, config.QUEUE_PREFIX);
  const transport = createTransport(config);
  const metrics = new Metrics({ db, queues });
  // Webhooks and ITSM calls per connector and minute, for the console's health view.
  const activity = new ActivityRecorder(db, logger).start();
  const hostPolicy = new HostPolicy(config.ITSM_ALLOWED_HOSTS);
  const runtime = new ConnectorRuntime({
    logger,
    gate,
    onCall: (c) => {
      metrics.itsmCalls.inc({ connector: c.connectorId, operation: c.operation, status: String(c.status) });
      activity.itsmCall(c.connectorId, c.status);
    },
    http: { timeoutMs: config.ITSM_TIMEOUT_MS, maxAttempts: config.ITSM_MAX_ATTEMPTS, maxInlineWaitMs: config.ITSM_MAX_INLINE_WAIT_MS },
    oauthTokens: new OAuthTokenStore(db, new SecretBox(config.SECRET_KEY)),
    hostPolicy,
    webhookMaxAgeMs: config.JIRA_WEBHOOK_MAX_AGE_SECONDS * 1000,
  });
  // What the team digest shows of targets and initiatives in progress (src/digest/providers.ts).
  const digestProviders: DigestProviders = actingDigestProviders(db, config.PUBLIC_URL);
  const ctx: StageContext = {
    db,
    logger,
    digest: { providers: digestProviders, minGroupSize: config.STATS_MIN_GROUP_SIZE },
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
      transport, fromAddress: config.MAIL_FROM, fromName: config.MAIL_FROM_NAME, publicUrl: config.PUBLIC_URL, claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS, agentLinkTtlDays: config.AGENT_LINK_TTL_DAYS,
      pace: new MailPace(producerRedis, config.QUEUE_PREFIX, mailLimits(config.MAIL_MAX_PER_SECOND).send),
    },
    hostPolicy,
  };

  // Set once stop() begins; batch jobs then start no more items (see runBatchItems).
  let stopping: Promise<void> | null = null;
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('api')) {
    // Loaded for the api role only: a worker process carries no HTTP server, pages, dashboard or Bull Board.
    const { buildHttp } = await import('./http/build-http.js');
    app = buildHttp(config, logger, ctx, producerRedis, { activity, redisWhere: redis.where });
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }
  // Metrics on a listener of their own (METRICS_PORT): never on the public port, and in every role.
  // (fastify loads only where it listens: a worker without METRICS_PORT has no HTTP server at all)
  const metricsListener = config.METRICS_PORT === undefined ? null : await (await import('./http/routes/metrics.js')).startMetricsListener(metrics, { port: config.METRICS_PORT, host: config.METRICS_HOST ?? config.HOST, token: config.METRICS_TOKEN, logger });
  let workers: WorkerPool | null = null;
  if (workerRedis) {
    workers = new WorkerPool(
      workerRedis,
      config.QUEUE_PREFIX,
      logger,
      config.WORKER_CONCURRENCY,
      { remind: mailLimits(config.MAIL_MAX_PER_SECOND).remind },
      config.JOB_LOCK_MS,
      (queue, outcome, seconds) => metrics.jobDuration.observe({ queue, outcome }, seconds),
      (err) => redis.report('worker', err),
    );
    const { stageProcessors } = await import('./pipeline/processors.js');
    workers.start(stageProcessors(ctx, config.WORKER_CONCURRENCY, () => stopping !== null));
  }
  let scheduler: SchedulerRole | null = null;
  let rollups: RollupRefresher | null = null;
  if (roles.has('scheduler')) {
    const { SchedulerRole } = await import('./pipeline/scheduler.js');
    scheduler = new SchedulerRole(queues, connectors, logger, { syncSeconds: config.SCHEDULER_SYNC_SECONDS, reconcileSeconds: config.RECONCILE_INTERVAL_SECONDS }, [
      async () => (await import('./digest/schedule.js')).syncDigestSchedules({ queues, connectors, db, logger, now: ctx.now }),
    ]);
    await scheduler.start();
    const { RollupRefresher } = await import('./analytics/facts/rollups.js');
    rollups = new RollupRefresher(db, logger, config.ROLLUP_REFRESH_SECONDS);
    rollups.start();
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
      await bounded('http', 5000, async () => Promise.all([app?.close(), metricsListener?.close()]));
      await bounded('scheduler', 2000, async () => scheduler?.stop());
      await bounded('rollups', 2000, async () => rollups?.stop());
      const left = Math.max(1000, config.SHUTDOWN_TIMEOUT_MS - (Date.now() - started));
      await bounded('workers', left + 2000, async () => workers?.close(left));
      await bounded('activity', 2000, () => activity.stop());
      await bounded('queues', 3000, () => queues.close());
      await bounded('mail', 2000, () => transport.close());
      await bounded('redis', 3000, () => redis.closeAll(2000));
      await bounded('postgres', 3000, () => db.destroy());
      logger.info({ ms: Date.now() - started }, 'service stopped');
    })());
  return { ctx, app, url, metricsUrl: metricsListener?.url ?? null, scheduler, stop };
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
