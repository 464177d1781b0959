import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RedisClient } from '../../redis/factory.js';
import { localeFromAcceptLanguage } from '../../render/locales.js';
import { renderErrorPage } from '../../render/pages.js';
import { surveySettingsSchema } from '../../connectors/common-definition.js';
import type { ConnectorStore } from '../../store/connectors.js';
import { storageRefusal } from '../input-hygiene.js';

/** Survey and opt-out forms are small: the 2,000-character comment fits many times over. */
export const PAGE_BODY_LIMIT_BYTES = 16 * 1024;

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
 *
 * The per-address limit counts reads (GET/HEAD) and submissions (POST) in separate buckets of
 * `perMinute` each: mail scanners fetch every link, often from the same gateway address as the people
 * behind it, and a sweep of reads must not use up the budget a person needs to send an answer.
 */
export async function registerPageScope(scope: FastifyInstance, opts: { redis: RedisClient; prefix: string; perMinute: number; defaultLocale: string }) {
  // Every page route states its own limit (routeOptions.bodyLimit), so a 413 can name the real one.
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= PAGE_BODY_LIMIT_BYTES;
  });
  await scope.register(formbody, { bodyLimit: PAGE_BODY_LIMIT_BYTES });
  await scope.register(rateLimit, {
    max: opts.perMinute,
    timeWindow: 60_000,
    redis: opts.redis,
    nameSpace: `${opts.prefix}:rl-page:`,
    keyGenerator: (req) => `${req.method === 'POST' ? 'post' : 'read'}:${req.ip}`,
    // Counting must not fail closed when Redis hiccups: a customer answering matters more.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error('too many requests'), { statusCode: ctx.statusCode }),
  });
  scope.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(PAGE_HEADERS);
    return payload;
  });
  scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const refused = storageRefusal(err);
    const status = refused ? 400 : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, route: req.routeOptions.url }, 'page failed');
    else if (refused) req.log.warn({ err, route: req.routeOptions.url }, 'page request refused: input the database cannot store');
    const locale = localeFromAcceptLanguage(req.headers['accept-language']);
    const message = status === 429 ? 'too_many_requests' : status === 413 ? 'too_large' : 'bad_request';
    return sendPage(reply, status, renderErrorPage({ locale, defaultLocale: opts.defaultLocale, message, limitBytes: req.routeOptions.bodyLimit }));
  });
}
