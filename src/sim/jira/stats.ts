/** Request accounting for assertions: per route and status, rate-limit violations, invalid bodies, webhooks. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthStats } from './oauth.js';

export interface WebhookStats {
  /** Deliveries acknowledged with 2xx (a duplicate delivery counts again). */
  sent: number;
  /** Deliveries given up (retries exhausted, or a status Jira does not retry). */
  failed: number;
  /** Retry attempts made (attempts after the first). */
  retried: number;
  /** Deliveries sent twice on purpose (duplicateRate). */
  duplicates: number;
  /** HTTP attempts in total. */
  attempts: number;
}

export interface JiraSimStats {
  requests: number;
  status: Record<string, number>;
  byRoute: Record<string, number>;
  rateLimitViolations: number;
  invalidBodies: Array<{ route: string; errors: string[] }>;
  log: Array<{ method: string; url: string; status: number; at: number }>;
  webhooks: WebhookStats;
  /** The OAuth token endpoint (POST /oauth/token). */
  oauth: OAuthStats;
}

const LOG_CAP = 10_000;

export const emptyWebhookStats = (): WebhookStats => ({ sent: 0, failed: 0, retried: 0, duplicates: 0, attempts: 0 });

/** `GET /rest/api/3/issue/{issueIdOrKey}`: the route template, written like the OpenAPI file writes paths. */
export function routeKey(req: FastifyRequest): string {
  const template = req.routeOptions.url;
  const path = template ? template.replace(/:(\w+)/g, '{$1}') : (req.url.split('?')[0] ?? req.url);
  return `${req.method} ${path}`;
}

export class StatsRecorder {
  requests = 0;
  byRoute: Record<string, number> = {};
  status: Record<string, number> = {};
  log: JiraSimStats['log'] = [];
  invalidBodies: JiraSimStats['invalidBodies'] = [];
  webhooks: WebhookStats = emptyWebhookStats();

  record(req: FastifyRequest, reply: FastifyReply): void {
    if ((req.url.split('?')[0] ?? '').startsWith('/sim/')) return;
    this.requests++;
    const key = routeKey(req);
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
    const code = String(reply.statusCode);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.log.push({ method: req.method, url: req.url, status: reply.statusCode, at: Date.now() });
    if (this.log.length > LOG_CAP) this.log.shift();
  }

  invalid(route: string, errors: string[]): void {
    this.invalidBodies.push({ route, errors: [...errors] });
    if (this.invalidBodies.length > LOG_CAP) this.invalidBodies.shift();
  }

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.status = {};
    this.log = [];
    this.invalidBodies = [];
    this.webhooks = emptyWebhookStats();
  }
}
