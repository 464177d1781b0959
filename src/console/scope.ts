import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RedisClient } from '../redis/factory.js';
import type { Logger } from '../logger.js';
import { csrfMatches, type ConsoleSession, type SessionStore } from './session.js';
import { consoleAssets, renderConsole } from './render.js';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
  interface FastifyContextConfig {
    /** Console routes anyone may reach (login, assets); everything else needs a session. */
    consolePublic?: boolean;
  }
}

/**
 * The survey pages' headers, with scripts from 'self' for the console's progressive JavaScript, fetches
 * back to 'self' (live delivery list) and frames from 'self' (template previews). Nothing third-party,
 * no inline script or style.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
export const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

export const SESSION_COOKIE = 'fb_console';

export interface ScopeDeps {
  sessions: SessionStore;
  redis: RedisClient;
  prefix: string;
  publicUrl: string;
  loginPerMinute: number;
  logger: Logger;
}

export interface ConsoleRoute {
  method: string;
  url: string;
  public: boolean;
}

export const cookies = (req: FastifyRequest): Record<string, string | undefined> => parseCookie(req.headers.cookie ?? '');

export function sessionCookie(publicUrl: string, value: string, maxAgeSeconds: number): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value, httpOnly: true, sameSite: 'strict', secure: publicUrl.startsWith('https:'), path: '/admin', maxAge: maxAgeSeconds });
}

/**
 * Same-origin check for changing requests. Browsers send Sec-Fetch-Site: it decides when present.
 * Otherwise the Origin header must name this service — except "null", which is what a same-origin form
 * post carries under Referrer-Policy: no-referrer (these pages' policy). The session's CSRF token and the
 * SameSite=Strict cookie stand behind this check in every case.
 */
export function crossSiteReason(req: FastifyRequest, publicUrl: string): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none' ? null : `Sec-Fetch-Site is ${site}`;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    const allowed = new Set([new URL(publicUrl).origin, `${req.protocol}://${req.host}`]);
    if (!allowed.has(origin)) return `Origin ${origin.slice(0, 100)} is not this service`;
  }
  return null;
}

export function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(body);
}

/**
 * The fastify scope every console route lives in: form bodies, security headers, HTML errors, a login
 * rate limit (Redis, so it holds across api processes), and the guard: a session for every non-public
 * route, and for every changing request a same-origin check plus the session's CSRF token.
 */
export async function setUpConsoleScope(scope: FastifyInstance, deps: ScopeDeps, routes: ConsoleRoute[]) {
  await scope.register(formbody, { bodyLimit: 256 * 1024 });
  await scope.register(rateLimit, {
    global: false,
    redis: deps.redis,
    nameSpace: `${deps.prefix}:rl-console:`,
    skipOnError: false,
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error(`Too many sign-in attempts from this address; try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`), { statusCode: 429 }),
  });
  scope.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url, public: r.config?.consolePublic === true });
  });
  // A route may set its own CSP or caching (assets, framed previews); everything else gets the defaults.
  scope.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(CONSOLE_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
  scope.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.consolePublic) return;
    const session = await deps.sessions.get(cookies(req)[SESSION_COOKIE]);
    if (session) {
      req.consoleSession = session;
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const next = req.url.startsWith('/admin/') && !req.url.startsWith('//') ? `?next=${encodeURIComponent(req.url)}` : '';
      return reply.redirect(`/admin/login${next}`, 303);
    }
    return html(reply, 403, errorPage('Not signed in', 'This action needs a console session. Sign in again and repeat it.'));
  });
  scope.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const cross = crossSiteReason(req, deps.publicUrl);
    if (cross) {
      deps.logger.warn({ url: req.routeOptions.url, reason: cross }, 'console: cross-site request refused');
      return html(reply, 403, errorPage('Request refused', `This request did not come from the console itself (${cross}).`));
    }
    if (req.routeOptions.config?.consolePublic) return; // login checks its own signed token
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.consoleSession || !csrfMatches(req.consoleSession, body._csrf)) {
      deps.logger.warn({ url: req.routeOptions.url }, 'console: missing or wrong CSRF token');
      return html(reply, 403, errorPage('Request refused', 'The form was not sent from a console page of this session (missing or wrong anti-forgery token). Reload the page and try again.'));
    }
  });
  scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.routeOptions.url }, 'console page failed');
    return html(reply, status, errorPage(status === 429 ? 'Slow down' : status >= 500 ? 'Something went wrong' : 'That did not work', status >= 500 ? 'The console could not do this. The error is in the service log.' : err.message));
  });
  const assets = consoleAssets();
  for (const a of [assets.css, assets.js]) {
    scope.get(a.path.split('?')[0]!, { config: { consolePublic: true } }, (_req, reply) => reply.type(a.contentType).header('cache-control', 'public, max-age=31536000, immutable').header('content-security-policy', "default-src 'none'").send(a.body));
  }
}

export function errorPage(title: string, text: string): string {
  return renderConsole('error', { page: { title }, assets: consoleAssets(), text, bare: true });
}
