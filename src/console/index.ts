import { randomBytes } from 'node:crypto';
import { stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cleanActorName } from '../audit/actor.js';
import { sameSecret } from '../http/admin-auth.js';
import { FormSigner } from '../lib/tokens.js';
import { AdminApi } from './admin-api.js';
import type { ConsoleCtx, ConsoleDeps } from './context.js';
import { registerConnectorPages } from './pages/connectors.js';
import { registerPushPages } from './pages/push.js';
import { registerRulesPages } from './pages/rules.js';
import { registerTemplatePages } from './pages/templates.js';
import { registerPeoplePages } from './pages/people.js';
import { registerQueueAndAuditPages } from './pages/queues-audit.js';
import { consoleAssets, renderConsole } from './render.js';
import { cookies, html, SESSION_COOKIE, sessionCookie, setUpConsoleScope, type ConsoleRoute } from './scope.js';
import { SessionStore } from './session.js';

export type { ConsoleDeps } from './context.js';

const LOGIN_COOKIE = 'fb_console_login';
const routesByApp = new WeakMap<FastifyInstance, ConsoleRoute[]>();

/** Every route the console registered (method, URL, whether it is public): the CSRF test walks them all. */
export const consoleRoutes = (app: FastifyInstance): ConsoleRoute[] => routesByApp.get(app) ?? [];

/** A redirect target after login: a console path of this service, never another site. */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/admin\/[^\\]*$/.test(v) && !v.startsWith('//') ? v : '/admin/');

/**
 * The admin console at /admin/: server-rendered pages over the admin API. Sign-in exchanges the admin
 * token (plus the admin's name, for the audit log) for a server-side session in an HttpOnly,
 * SameSite=Strict cookie; every form carries the session's CSRF token; changing requests from another
 * origin are refused.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps) {
  const routes: ConsoleRoute[] = [];
  routesByApp.set(app, routes);
  const ctx: ConsoleCtx = { ...deps, api: new AdminApi(app, deps.adminToken) };
  const sessions = new SessionStore(deps.db, { idleMinutes: deps.sessionIdleMinutes, maxHours: deps.sessionMaxHours, now: deps.now });
  const signer = new FormSigner(deps.secret, 3600_000);
  const secure = deps.publicUrl.startsWith('https:');

  void app.register(async (scope) => {
    await setUpConsoleScope(scope, { sessions, redis: deps.redis, prefix: deps.prefix, publicUrl: deps.publicUrl, loginPerMinute: deps.loginPerMinute, logger: deps.logger }, routes);

    // Login CSRF: a random nonce in a cookie, its signature in the form (signed double submit).
    const loginPage = (reply: FastifyReply, status: number, o: { next: string; name?: string; error?: string }) => {
      const nonce = randomBytes(16).toString('base64url');
      void reply.header('set-cookie', stringifySetCookie({ name: LOGIN_COOKIE, value: nonce, httpOnly: true, sameSite: 'strict', secure, path: '/admin/login', maxAge: 3600 }));
      return html(reply, status, renderConsole('login', { page: { title: 'Sign in' }, assets: consoleAssets(), bare: true, loginToken: signer.sign(`console-login:${nonce}`), next: o.next, name: o.name ?? '', error: o.error }));
    };

    scope.get<{ Querystring: { next?: string } }>('/admin/login', { config: { consolePublic: true } }, async (req, reply) => {
      if (await sessions.get(cookies(req)[SESSION_COOKIE])) return reply.redirect(safeNext(req.query.next), 303);
      return loginPage(reply, 200, { next: safeNext(req.query.next) });
    });

    scope.post('/admin/login', { config: { consolePublic: true, rateLimit: { max: deps.loginPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(b.next);
      const nonce = cookies(req)[LOGIN_COOKIE];
      if (!nonce || !signer.verify(`console-login:${nonce}`, b._login)) return loginPage(reply, 403, { next, error: 'The sign-in form expired or was not sent from this page. Try again.' });
      const name = cleanActorName(b.name);
      if (!name) return loginPage(reply, 400, { next, error: 'Enter your name: it is recorded with every change you make.' });
      if (typeof b.token !== 'string' || !sameSecret(b.token, deps.adminToken)) {
        deps.logger.warn({ ip: req.ip }, 'console: sign-in with a wrong admin token');
        return loginPage(reply, 401, { next, name, error: 'That is not the admin token.' });
      }
      const { token } = await sessions.create(name);
      await deps.audit.record({ name, channel: 'console' }, { action: 'console.login', targetType: 'session', detail: `signed in from ${req.ip}` });
      void reply.header('set-cookie', [sessionCookie(deps.publicUrl, token, deps.sessionMaxHours * 3600), stringifySetCookie({ name: LOGIN_COOKIE, value: '', path: '/admin/login', maxAge: 0 })]);
      return reply.redirect(next, 303);
    });

    scope.post('/admin/logout', async (req: FastifyRequest, reply) => {
      if (req.consoleSession) await sessions.revoke(req.consoleSession);
      void reply.header('set-cookie', sessionCookie(deps.publicUrl, '', 0));
      return reply.redirect('/admin/login', 303);
    });

    registerConnectorPages(scope, ctx);
    registerPushPages(scope, ctx);
    registerRulesPages(scope, ctx);
    registerTemplatePages(scope, ctx);
    registerPeoplePages(scope, ctx);
    registerQueueAndAuditPages(scope, ctx);
  });
}
