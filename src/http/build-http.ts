import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { RedisClient } from '../redis/factory.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { StageContext } from '../pipeline/context.js';
import { fetchEnqueuer, writebackEnqueuer } from '../pipeline/window-enqueue.js';
import { createHttpApp, HttpError } from './app.js';
import { ADMIN_PAGE_CHALLENGE, adminCredentialOk, requireAdmin } from './admin-auth.js';
import { registerConnectorAdminRoutes } from './routes/admin/connectors.js';
import { registerAnswerAdminRoutes } from './routes/admin/answers.js';
import { registerDecisionAdminRoutes } from './routes/admin/decisions.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerSesEventRoutes } from './routes/ses-events.js';
import { registerDeliveryAdminRoutes } from './routes/admin/delivery.js';
import { registerJobAdminRoutes } from './routes/admin/jobs.js';
import { registerPageScope } from './pages/page-scope.js';
import { registerSurveyPages, type SurveyPageDeps } from './pages/survey-pages.js';
import { registerOptOutPages } from './pages/opt-out-pages.js';
import { registerAgentAnswerRoutes } from './routes/agent-answers.js';
import { registerOpsUi } from './routes/ops-ui.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerAnalyticsPages } from './routes/analytics-pages.js';
import { registerDashboardAnswers } from './routes/dashboard-answers.js';
import { registerStatsRoutes } from './routes/admin/stats.js';
import { registerActingOnFeedback } from './routes/acting-on-feedback.js';
import { registerActionStatsRoutes } from './routes/admin/action-stats.js';
import { registerDigestAdminRoutes, registerDigestReadRoutes } from './routes/admin/digests.js';
import { registerAuditAdminRoutes } from './routes/admin/audit.js';
import { registerPeopleAdminRoutes } from './routes/admin/people.js';
import { SnsVerifier } from '../mail/sns/index.js';
import { FormSigner } from '../lib/tokens.js';
import { pageStylesheet } from '../render/paths.js';
import { loadAnswerList } from '../analytics/dashboard/answers.js';
import { cachedScoreboard, loadDashboard, type AnalyticsDeps } from '../analytics/dashboard-data.js';
import { AnalyticsPool } from '../analytics/reader.js';
import { AuditLog } from '../audit/audit-log.js';
import type { ActivityRecorder } from '../activity/recorder.js';
import { registerConsole } from '../console/index.js';

/** The api role's HTTP server: ops, webhooks, SES events, survey and opt-out pages, the admin API and console, analytics, Bull Board. */
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
  // Push notifications of a few milliseconds go out as one fetch job (flushed when the app closes).
  const fetches = fetchEnqueuer(ctx);
  app.addHook('onClose', () => fetches.flush());
  registerWebhookRoutes(app, { ...ctx, bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES, activity: overrides.activity, enqueueFetch: async (connectorId, eventId) => fetches.add(connectorId, eventId) });
  registerSesEventRoutes(app, {
    db: ctx.db,
    logger,
    verifier: overrides.snsVerifier ?? new SnsVerifier({ topicArns: config.SNS_TOPIC_ARNS, certHostPattern: config.SNS_CERT_HOST_PATTERN }),
    certHostPattern: config.SNS_CERT_HOST_PATTERN,
    confirm: async (url) => void (await fetch(url, { signal: AbortSignal.timeout(10_000) })),
  });
  const css = pageStylesheet('survey');
  // Answers of a moment go out as one write-back job (flushed when the app closes).
  const writebacks = writebackEnqueuer(ctx);
  app.addHook('onClose', () => writebacks.flush());
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
      onAnswer: async ({ connectorId, responseId }) => writebacks.add(connectorId, responseId),
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
