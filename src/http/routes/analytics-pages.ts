import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DashboardView, ScoreboardView } from '../../analytics/views.js';
import { analyticsAssets } from '../../render/analytics-assets.js';
import { renderAnalyticsMessage, renderDashboard, renderScoreboard } from '../../render/analytics-pages.js';
import { adminCredentialOk, refuseAdminPage } from '../admin-auth.js';
import { clientGone } from '../client-gone.js';
import { isAbortError } from '../../analytics/reader.js';
import { Gate } from '../../analytics/gate.js';

/**
 * The admin dashboard (GET /admin/dashboard, admin token as Bearer or as the Basic password), the
 * public opt-in scoreboard (GET /scoreboard/:connectorId) and their static files (Chart.js, the
 * pages' scripts and stylesheet, served from this app: the CSP allows 'self' only).
 */

/** Scripts from 'self' only (no inline code), styles from 'self' (Chart.js sizes canvases through the CSSOM, which CSP allows). */
export const ANALYTICS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const COMMON_HEADERS = {
  'content-security-policy': ANALYTICS_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;
export const DASHBOARD_HEADERS = { ...COMMON_HEADERS, 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' } as const;
export const SCOREBOARD_HEADERS = { ...COMMON_HEADERS, 'cache-control': 'public, max-age=60' } as const;
/** Errors and refusals of either page are never cached. */
const ERROR_HEADERS = { ...COMMON_HEADERS, 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' } as const;

type Query = Record<string, string | undefined>;

export interface AnalyticsPagesDeps {
  adminToken: string;
  /** Throws an error with statusCode 400 and a message for bad filter values; stops (AbortError) once `signal` aborts. */
  loadDashboard(query: Query, signal?: AbortSignal): Promise<DashboardView>;
  /** Dashboards built at once in this process (default 1); the others wait their turn. */
  concurrentDashboards?: number;
  /** null when the connector is unknown or has not opted in to a public scoreboard. */
  loadScoreboard(connectorId: string, query: Query): Promise<ScoreboardView | null>;
}

/** Only string values of the query: repeated parameters (?team=a&team=b) keep the last one. */
export function flatQuery(req: FastifyRequest): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

export function html(reply: FastifyReply, status: number, headers: Readonly<Record<string, string>>, body: string) {
  return reply.status(status).headers(headers).type('text/html; charset=utf-8').send(body);
}

/** A 4xx from a loader becomes a page with its (escaped) message; anything else is logged and a plain 500 page. */
export function failurePage(req: FastifyRequest, reply: FastifyReply, err: unknown, noindex: boolean) {
  const e = err as { statusCode?: unknown; message?: unknown };
  const status = typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status >= 500) {
    req.log.error({ err, url: req.routeOptions.url }, 'analytics page failed');
    return html(reply, 500, ERROR_HEADERS, renderAnalyticsMessage({ title: 'Something went wrong', text: 'The figures could not be loaded. Try again in a moment.', noindex }));
  }
  req.log.info({ status, url: req.routeOptions.url, reason: String(e.message) }, 'analytics page request rejected');
  const text = typeof e.message === 'string' && e.message ? e.message : 'The request is not valid.';
  return html(reply, status, ERROR_HEADERS, renderAnalyticsMessage({ title: status === 400 ? 'The filter is not valid' : 'The request was refused', text, noindex }));
}

export function registerAnalyticsPages(app: FastifyInstance, deps: AnalyticsPagesDeps) {
  const dashboards = new Gate(deps.concurrentDashboards ?? 1);
  // Read (and hashed) once, now: a missing file fails the start, not the first visitor.
  const assets = analyticsAssets();
  for (const asset of Object.values(assets)) {
    app.get(asset.path, (_req, reply) =>
      reply
        .type(asset.contentType)
        // The pages link to `${path}?v=<content hash>`, so a year-long cache still picks up a new deploy.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(asset.body),
    );
  }

  app.get('/admin/dashboard', async (req, reply) => {
    if (!adminCredentialOk(req, deps.adminToken)) {
      void reply.headers(ERROR_HEADERS);
      return refuseAdminPage(reply, {
        html: renderAnalyticsMessage({ title: 'Sign in to see the dashboard', text: 'The dashboard needs the admin token: enter it as the password (any user name).' }),
      });
    }
    let body: string;
    const signal = clientGone(reply);
    try {
      // One dashboard at a time per process: queries, figures and page (see Gate).
      body = await dashboards.run(signal, async () => renderDashboard(await deps.loadDashboard(flatQuery(req), signal)));
    } catch (err) {
      if (isAbortError(err)) {
        // Nobody is waiting for this page any more; its queries were cancelled.
        req.log.info({ url: req.routeOptions.url }, 'client went away: dashboard queries cancelled');
        reply.hijack();
        if (!reply.raw.destroyed) reply.raw.destroy();
        return reply;
      }
      return failurePage(req, reply, err, true);
    }
    return html(reply, 200, DASHBOARD_HEADERS, body);
  });

  app.get<{ Params: { connectorId: string } }>('/scoreboard/:connectorId', async (req, reply) => {
    let view: ScoreboardView | null;
    try {
      view = await deps.loadScoreboard(req.params.connectorId, flatQuery(req));
    } catch (err) {
      return failurePage(req, reply, err, false);
    }
    if (!view) {
      // Unknown and not-opted-in connectors look the same: the page does not say which ids exist.
      return html(reply, 404, ERROR_HEADERS, renderAnalyticsMessage({ title: 'No scoreboard here', text: 'There is no public scoreboard at this address.', noindex: true }));
    }
    return html(reply, 200, SCOREBOARD_HEADERS, renderScoreboard(view));
  });
}
