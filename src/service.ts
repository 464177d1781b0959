import type { FastifyInstance } from 'fastify';
import { RedisFactory, type RedisClient } from './redis/factory.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createDb, type Db } from './db/client.js';
import { ensureDatabase, migrateToLatest } from './db/migrator.js';
import { ConnectorRuntime } from './connectors/runtime.js';
import { createHttpApp } from './http/app.js';
import { requireAdmin } from './http/admin-auth.js';
import { registerConnectorAdminRoutes } from './http/routes/admin/connectors.js';
import { registerAnswerAdminRoutes } from './http/routes/admin/answers.js';
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
import { registerMetricsRoute, startMetricsListener } from './http/routes/metrics.js';
import { HostPolicy } from './connectors/http/host-policy.js';
import { ADMIN_PAGE_CHALLENGE, adminCredentialOk } from './http/admin-auth.js';
import { registerAnalyticsPages } from './http/routes/analytics-pages.js';
import { registerDashboardAnswers } from './http/routes/dashboard-answers.js';
import { loadAnswerList } from './analytics/dashboard/answers.js';
import { registerStatsRoutes } from './http/routes/admin/stats.js';
import { registerActingOnFeedback } from './http/routes/acting-on-feedback.js';
import { registerActionStatsRoutes } from './http/routes/admin/action-stats.js';
import { registerDigestAdminRoutes, registerDigestReadRoutes } from './http/routes/admin/digests.js';
import { cachedScoreboard, loadDashboard, type AnalyticsDeps } from './analytics/dashboard-data.js';
import { HttpError } from './http/app.js';
import { AnalyticsPool } from './analytics/reader.js';
import { RollupRefresher } from './analytics/facts/rollups.js';
import { sql } from 'kysely';
import { ConnectorStore } from './store/connectors.js';
import { OAuthTokenStore } from './store/oauth-tokens.js';
import { AuditLog } from './audit/audit-log.js';
import { ActivityRecorder } from './activity/recorder.js';
import { registerAuditAdminRoutes } from './http/routes/admin/audit.js';
import { registerPeopleAdminRoutes } from './http/routes/admin/people.js';
import { registerConsole } from './console/index.js';
import type { DigestProviders } from './digest/providers.js';
import { actingDigestProviders } from './digest/acting-providers.js';
import { syncDigestSchedules } from './digest/schedule.js';

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
  const { db } = createDb(config.DATABASE_URL, config.DB_POOL_MAX);
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
    loaders: stageLoaders(db),
    metrics,
    secret: config.SECRET_KEY,
    now: () => new Date(),
    reconcileGraceSeconds: config.RECONCILE_GRACE_SECONDS,
    reconcileStuckSeconds: config.RECONCILE_STUCK_SECONDS,
    claimLeaseMs: config.JOB_LOCK_MS * 2,
    mail: { transport, fromAddress: config.MAIL_FROM, fromName: config.MAIL_FROM_NAME, publicUrl: config.PUBLIC_URL, claimTimeoutSeconds: config.SEND_CLAIM_TIMEOUT_SECONDS, agentLinkTtlDays: config.AGENT_LINK_TTL_DAYS },
    hostPolicy,
  };

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('api')) {
    app = buildHttp(config, logger, ctx, producerRedis, { activity, redisWhere: redis.where });
    url = await app.listen({ port: config.PORT, host: config.HOST });
  }
  // Metrics on a listener of their own (METRICS_PORT): never on the public port, and in every role.
  const metricsListener = config.METRICS_PORT === undefined ? null : await startMetricsListener(metrics, { port: config.METRICS_PORT, host: config.METRICS_HOST ?? config.HOST, token: config.METRICS_TOKEN, logger });
  let workers: WorkerPool | null = null;
  if (workerRedis) {
    workers = new WorkerPool(
      workerRedis,
      config.QUEUE_PREFIX,
      logger,
      config.WORKER_CONCURRENCY,
      mailLimits(config.MAIL_MAX_PER_SECOND),
      config.JOB_LOCK_MS,
      (queue, outcome, seconds) => metrics.jobDuration.observe({ queue, outcome }, seconds),
      (err) => redis.report('worker', err),
    );
    workers.start(stageProcessors(ctx));
  }
  let scheduler: SchedulerRole | null = null;
  let rollups: RollupRefresher | null = null;
  if (roles.has('scheduler')) {
    scheduler = new SchedulerRole(queues, connectors, logger, { syncSeconds: config.SCHEDULER_SYNC_SECONDS, reconcileSeconds: config.RECONCILE_INTERVAL_SECONDS }, [
      () => syncDigestSchedules({ queues, connectors, db, logger, now: ctx.now }),
    ]);
    await scheduler.start();
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
  let stopping: Promise<void> | null = null;
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

export function buildHttp(config: Config, logger: Logger, ctx: StageContext, redis: RedisClient, overrides: { snsVerifier?: SnsVerifier; activity?: ActivityRecorder; redisWhere?: string } = {}): FastifyInstance {
  const app = createHttpApp(logger, { bodyLimit: 1024 * 1024, trustProxyHops: config.TRUST_PROXY_HOPS, requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS });
  const audit = new AuditLog(ctx.db);
  // Dashboards, stats and exports read through their own small pool (closed with the app).
  const analyticsPool = new AnalyticsPool(config.DATABASE_URL, {
    max: config.ANALYTICS_DB_POOL_MAX,
    statementTimeoutMs: config.ANALYTICS_STATEMENT_TIMEOUT_MS,
    cancelBackend: async (pid) => void (await sql`SELECT pg_cancel_backend(${pid})`.execute(ctx.db)),
  });
  app.addHook('onClose', () => analyticsPool.close());
  registerOpsRoutes(app, { db: ctx.db, queues: ctx.queues, redisWhere: overrides.redisWhere ?? 'REDIS_URL' });
  registerOpsUi(app, { queues: ctx.queues, adminToken: config.ADMIN_TOKEN });
  if (config.METRICS_PORT === undefined && ctx.metrics) registerMetricsRoute(app, ctx.metrics, config.METRICS_TOKEN);
  registerWebhookRoutes(app, { ...ctx, bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES, activity: overrides.activity });
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
        await ctx.queues.enqueue('writeback', { responseId }, { delay: debounce * 1000 });
      },
    };
    registerSurveyPages(pages, deps);
    registerOptOutPages(pages, deps);
  });
  registerAgentAnswerRoutes(app, { db: ctx.db, secret: config.SECRET_KEY });
  void app.register(async (admin) => {
    requireAdmin(admin, config.ADMIN_TOKEN);
    registerConnectorAdminRoutes(admin, { ...ctx, publicUrl: config.PUBLIC_URL, hostPolicy: ctx.hostPolicy, audit });
    registerDecisionAdminRoutes(admin, ctx);
    registerAnswerAdminRoutes(admin, ctx);
    registerDeliveryAdminRoutes(admin, { ...ctx, audit });
    registerJobAdminRoutes(admin, { ...ctx, audit });
    registerAuditAdminRoutes(admin, { audit });
    registerPeopleAdminRoutes(admin, { db: ctx.db, audit });
    registerDigestAdminRoutes(admin, ctx);
  });
  // The admin console at /admin/ (its own sign-in, sessions and CSRF protection) over the routes above.
  registerConsole(app, {
    db: ctx.db,
    redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    publicUrl: config.PUBLIC_URL,
    adminToken: config.ADMIN_TOKEN,
    secret: config.SECRET_KEY,
    sessionIdleMinutes: config.CONSOLE_SESSION_IDLE_MINUTES,
    sessionMaxHours: config.CONSOLE_SESSION_MAX_HOURS,
    loginPerMinute: config.CONSOLE_LOGIN_PER_MINUTE,
    connectors: ctx.connectors,
    runtime: ctx.runtime,
    queues: ctx.queues,
    audit,
    now: ctx.now,
    hostPolicy: ctx.hostPolicy,
  });
  // Read-only analytics also take HTTP Basic (the admin token as password), so that a browser on the
  // dashboard can follow its CSV links. Changing routes stay Bearer-only: no cached browser credential
  // can be replayed against them by another site.
  const analytics: AnalyticsDeps = {
    connectors: ctx.connectors,
    minGroupSize: config.STATS_MIN_GROUP_SIZE,
    now: ctx.now,
    reader: (signal) => analyticsPool.reader(signal),
    ticketUrl: async (connectorId, externalId, key) => {
      const def = await ctx.connectors.get(connectorId);
      return def ? ctx.runtime.for(def).ticketUrl(externalId, key) : null;
    },
  };
  void app.register(async (stats) => {
    stats.addHook('onRequest', async (req, reply) => {
      if (adminCredentialOk(req, config.ADMIN_TOKEN)) return;
      void reply.header('WWW-Authenticate', ADMIN_PAGE_CHALLENGE);
      throw new HttpError(401, 'analytics need the admin token (Authorization: Bearer <ADMIN_TOKEN>, or as the Basic password)');
    });
    registerStatsRoutes(stats, analytics);
    registerActionStatsRoutes(stats, analytics);
    registerDigestReadRoutes(stats, ctx);
  });
  // The dashboard (admin) and the opt-in public scoreboard; the pages check access themselves.
  registerAnalyticsPages(app, {
    adminToken: config.ADMIN_TOKEN,
    loadDashboard: (query, signal) => loadDashboard(analytics, query, signal),
    // One at a time per process (each runs its queries side by side on the analytics connections):
    // admins rarely open dashboards at the same moment, customers' pages must not share two cores
    // with several of them.
    concurrentDashboards: 1,
    loadScoreboard: cachedScoreboard(analytics),
  });
  // Targets, initiatives, imported feedback; the initiative form; the public "you said, we did" page.
  registerActingOnFeedback(app, { ...analytics, db: ctx.db, runtime: ctx.runtime, adminToken: config.ADMIN_TOKEN, secret: config.SECRET_KEY, publicUrl: config.PUBLIC_URL, claimLeaseMs: ctx.claimLeaseMs });
  registerDashboardAnswers(app, { adminToken: config.ADMIN_TOKEN, loadAnswers: (query, signal) => loadAnswerList(analytics, query, signal) });
  return app;
}

export type { Db };

/** Survey and reminder sends share MAIL_MAX_PER_SECOND (reminders get a fifth), across all processes. */
function mailLimits(perSecond: number) {
  const remind = Math.max(1, Math.floor(perSecond / 5));
  return { send: { max: Math.max(1, perSecond - remind), duration: 1000 }, remind: { max: remind, duration: 1000 } };
}
