import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RedisClient } from '../../redis/factory.js';
import { localeFromAcceptLanguage } from '../../render/locales.js';
import { renderErrorPage } from '../../render/pages.js';
import { surveySettingsSchema } from '../../connectors/common-definition.js';
import type { ConnectorStore } from '../../store/connectors.js';

/** Headers on every customer-facing page: nothing leaks (referrer), nothing indexes, nothing third-party runs. */
export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

/** Language and branding for a page about one survey: its connector's settings, or the defaults. */
export async function pageBaseFor(connectors: ConnectorStore, connectorId: string, locale: string | null, fallbackLocale: string) {
  const survey = (await connectors.get(connectorId))?.survey ?? surveySettingsSchema.parse({ defaultLocale: fallbackLocale });
  return { locale, defaultLocale: survey.defaultLocale, branding: survey.branding };
}

export function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

/**
 * The fastify scope shared by survey and opt-out pages: form bodies, security headers, HTML errors,
 * and a per-address rate limit held in Redis (so it holds across api processes).
 */
export async function registerPageScope(scope: FastifyInstance, opts: { redis: RedisClient; prefix: string; perMinute: number; defaultLocale: string }) {
  await scope.register(formbody, { bodyLimit: 16 * 1024 });
  await scope.register(rateLimit, {
    max: opts.perMinute,
    timeWindow: 60_000,
    redis: opts.redis,
    nameSpace: `${opts.prefix}:rl-page:`,
    // Counting must not fail closed when Redis hiccups: a customer answering matters more.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error('too many requests'), { statusCode: ctx.statusCode }),
  });
  scope.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(PAGE_HEADERS);
    return payload;
  });
  scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, route: req.routeOptions.url }, 'page failed');
    const locale = localeFromAcceptLanguage(req.headers['accept-language']);
    return sendPage(reply, status, renderErrorPage({ locale, defaultLocale: opts.defaultLocale, message: status === 429 ? 'too_many_requests' : 'bad_request' }));
  });
}
