import type { FastifyInstance } from 'fastify';
import { createHttpApp, HttpError } from './app.js';
import { ADMIN_PAGE_CHALLENGE, adminCredentialOk, requireAdmin } from './admin-auth.js';
import { registerConnectorAdminRoutes } from './routes/admin/connectors.js';
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
import { SnsVerifier } from '../mail/sns/index.js';
import { FormSigner } from '../lib/tokens.js';
import { pageStylesheet } from '../render/paths.js';
import { registerOpsUi } from './routes/ops-ui.js';
import { registerAnalyticsPages } from './routes/analytics-pages.js';
import { registerStatsRoutes } from './routes/admin/stats.js';
import { cachedScoreboard, loadDashboard, type AnalyticsDeps } from '../analytics/dashboard-data.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { StageContext } from '../pipeline/context.js';
import { fetchEnqueuer, writebackEnqueuer } from '../pipeline/window-enqueue.js';

/** The api role's HTTP server: ops, webhooks, SES events, survey and opt-out pages, admin API, analytics, Bull Board. */
export function buildHttp(config: Config, logger: Logger, ctx: StageContext, redis: Redis, overrides: { snsVerifier?: SnsVerifier } = {}): FastifyInstance {
  const app = createHttpApp(logger, { bodyLimit: 1024 * 1024, trustProxyHops: config.TRUST_PROXY_HOPS });
  registerOpsRoutes(app, { db: ctx.db, redis });
  registerOpsUi(app, { queues: ctx.queues, metrics: ctx.metrics, adminToken: config.ADMIN_TOKEN, metricsToken: config.METRICS_TOKEN });
  const fetches = fetchEnqueuer(ctx);
  app.addHook('onClose', () => fetches.flush());
  registerWebhookRoutes(app, { ...ctx, bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES, enqueueFetch: async (connectorId, eventId) => fetches.add(connectorId, eventId) });
  registerSesEventRoutes(app, {
    db: ctx.db,
    logger,
    verifier: overrides.snsVerifier ?? new SnsVerifier({ topicArns: config.SNS_TOPIC_ARNS, certHostPattern: config.SNS_CERT_HOST_PATTERN }),
    certHostPattern: config.SNS_CERT_HOST_PATTERN,
    confirm: async (url) => void (await fetch(url, { signal: AbortSignal.timeout(10_000) })),
  });
  const css = pageStylesheet('survey');
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
