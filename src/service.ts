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
import { registerSesEventRoutes } from './http/routes/ses-events.js';
import { registerDeliveryAdminRoutes } from './http/routes/admin/delivery.js';
import { registerJobAdminRoutes } from './http/routes/admin/jobs.js';
import { registerPageScope } from './http/pages/page-scope.js';
import { registerSurveyPages, type SurveyPageDeps } from './http/pages/survey-pages.js';
import { registerOptOutPages } from './http/pages/opt-out-pages.js';
import { registerAgentAnswerRoutes } from './http/routes/agent-answers.js';
import { SnsVerifier } from './mail/sns/index.js';
import { FormSigner } from './lib/tokens.js';
import { pageStylesheet } from './render/paths.js';
import { stageLoaders } from './pipeline/stage-loaders.js';
import { RedisRateGate } from './lib/rate-gate.js';
import { SecretBox } from './lib/secret-box.js';
import type { StageContext } from './pipeline/context.js';
import { stageProcessors } from './pipeline/processors.js';
import { Queues } from './pipeline/queues.js';
import { SchedulerRole } from './pipeline/scheduler.js';
import { WorkerPool } from './pipeline/workers.js';
import { createTransport } from './mail/create-transport.js';
import { Metrics } from './ops/metrics.js';
import { registerOpsUi } from './http/routes/ops-ui.js';
import { ADMIN_PAGE_CHALLENGE, adminCredentialOk } from './http/admin-auth.js';
import { registerAnalyticsPages } from './http/routes/analytics-pages.js';
import { registerStatsRoutes } from './http/routes/admin/stats.js';
import { cachedScoreboard, loadDashboard, type AnalyticsDeps } from './analytics/dashboard-data.js';
import { HttpError } from './http/app.js';
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
    mail: { transport, fromAddress: config.MAIL_FROM, fromName: config.MAIL_FROM_NAME, publicUrl: config.PUBLIC_URL, claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS },
  };

  const roles = new Set(config.ROLES);
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('api')) {
    app = buildHttp(config, logger, ctx, producerRedis);
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }
  let workers: WorkerPool | null = null;
  if (roles.has('worker')) {
    workers = new WorkerPool(workerRedis, config.QUEUE_PREFIX, logger, config.WORKER_CONCURRENCY, mailLimits(config.MAIL_MAX_PER_SECOND), config.JOB_LOCK_MS, (queue, outcome, seconds) =>
      metrics.jobDuration.observe({ queue, outcome }, seconds),
    );
    workers.start(stageProcessors(ctx));
  }
  let scheduler: SchedulerRole | null = null;
  if (roles.has('scheduler')) {
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
  let stopping: Promise<void> | null = null;
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

export function buildHttp(config: Config, logger: Logger, ctx: StageContext, redis: Redis, overrides: { snsVerifier?: SnsVerifier } = {}): FastifyInstance {
  const app = createHttpApp(logger, { bodyLimit: 1024 * 1024, trustProxyHops: config.TRUST_PROXY_HOPS });
  registerOpsRoutes(app, { db: ctx.db, redis });
  registerOpsUi(app, { queues: ctx.queues, metrics: ctx.metrics, adminToken: config.ADMIN_TOKEN, metricsToken: config.METRICS_TOKEN });
  registerWebhookRoutes(app, { ...ctx, bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES });
  registerSesEventRoutes(app, {
    db: ctx.db,
    logger,
    verifier: overrides.snsVerifier ?? new SnsVerifier({ topicArns: config.SNS_TOPIC_ARNS, certHostPattern: config.SNS_CERT_HOST_PATTERN }),
    certHostPattern: config.SNS_CERT_HOST_PATTERN,
    confirm: async (url) => void (await fetch(url, { signal: AbortSignal.timeout(10_000) })),
  });
  const css = pageStylesheet('survey');
  // Browsers ask for it on every page; an empty answer keeps their consoles and our 404 logs clean.
  app.get('/favicon.ico', (_req, reply) => reply.status(204).header('cache-control', 'public, max-age=86400').send());
  app.get('/assets/survey.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));
  void app.register(async (pages) => {
    await registerPageScope(pages, { redis, prefix: config.QUEUE_PREFIX, perMinute: config.PAGE_RATE_LIMIT_PER_MINUTE, defaultLocale: 'en' });
    const deps: SurveyPageDeps = {
      db: ctx.db,
      redis,
      prefix: config.QUEUE_PREFIX,
      connectors: ctx.connectors,
      signer: new FormSigner(config.SECRET_KEY),
      logger,
      secret: config.SECRET_KEY,
      defaultLocale: 'en',
      tokenPerMinute: config.TOKEN_RATE_LIMIT_PER_MINUTE,
      botMinSecondsAfterSend: config.BOT_MIN_SECONDS_AFTER_SEND,
      now: ctx.now,
      // Postgres already holds the owed write-back; the job runs once the answer has settled.
      onAnswer: async ({ connectorId, responseId }) => {
        const debounce = (await ctx.connectors.get(connectorId))?.writeBack.debounceSeconds ?? 0;
        await ctx.loaders.enqueue.enqueue('writeback', { responseId }, debounce * 1000);
      },
    };
    registerSurveyPages(pages, deps);
    registerOptOutPages(pages, deps);
  });
  registerAgentAnswerRoutes(app, { db: ctx.db, secret: config.SECRET_KEY });
  void app.register(async (admin) => {
    requireAdmin(admin, config.ADMIN_TOKEN);
    registerConnectorAdminRoutes(admin, { ...ctx, publicUrl: config.PUBLIC_URL });
    registerDecisionAdminRoutes(admin, ctx);
    registerDeliveryAdminRoutes(admin, ctx);
    registerJobAdminRoutes(admin, ctx);
  });
  // Read-only analytics also take HTTP Basic (the admin token as password), so that a browser on the
  // dashboard can follow its CSV links. Changing routes stay Bearer-only: no cached browser credential
  // can be replayed against them by another site.
  const analytics: AnalyticsDeps = { db: ctx.db, connectors: ctx.connectors, minGroupSize: config.STATS_MIN_GROUP_SIZE, now: ctx.now };
  void app.register(async (stats) => {
    stats.addHook('onRequest', async (req, reply) => {
      if (adminCredentialOk(req, config.ADMIN_TOKEN)) return;
      void reply.header('WWW-Authenticate', ADMIN_PAGE_CHALLENGE);
      throw new HttpError(401, 'analytics need the admin token (Authorization: Bearer <ADMIN_TOKEN>, or as the Basic password)');
    });
    registerStatsRoutes(stats, analytics);
  });
  // The dashboard (admin) and the opt-in public scoreboard; the pages check access themselves.
  registerAnalyticsPages(app, {
    adminToken: config.ADMIN_TOKEN,
    loadDashboard: (query) => loadDashboard(analytics, query),
    loadScoreboard: cachedScoreboard(analytics),
  });
  return app;
}

export type { Db };

/** Survey and reminder sends share MAIL_MAX_PER_SECOND (reminders get a fifth), across all processes. */
function mailLimits(perSecond: number) {
  const remind = Math.max(1, Math.floor(perSecond / 5));
  return { send: { max: Math.max(1, perSecond - remind), duration: 1000 }, remind: { max: remind, duration: 1000 } };
}
