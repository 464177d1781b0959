/** Jira's stats() shape and its counters beyond requests: invalid bodies, webhooks (see ../common/request-stats.ts). */
import type { FastifyRequest } from 'fastify';
import { LOG_CAP, RequestStats, routeKeyOf } from '../common/request-stats.js';
import type { RequestLogEntry } from '../common/request-stats.js';
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
  log: RequestLogEntry[];
  webhooks: WebhookStats;
  /** The OAuth token endpoint (POST /oauth/token). */
  oauth: OAuthStats;
}

export const emptyWebhookStats = (): WebhookStats => ({ sent: 0, failed: 0, retried: 0, duplicates: 0, attempts: 0 });

/** `GET /rest/api/3/issue/{issueIdOrKey}`: the route template, written like the OpenAPI file writes paths. */
export function routeKey(req: FastifyRequest): string {
  return routeKeyOf(req, (template) => template.replace(/:(\w+)/g, '{$1}'));
}

export class StatsRecorder extends RequestStats {
  invalidBodies: JiraSimStats['invalidBodies'] = [];
  webhooks: WebhookStats = emptyWebhookStats();

  constructor() {
    super(routeKey);
  }

  invalid(route: string, errors: string[]): void {
    this.invalidBodies.push({ route, errors: [...errors] });
    if (this.invalidBodies.length > LOG_CAP) this.invalidBodies.shift();
  }

  override reset(): void {
    super.reset();
    this.invalidBodies = [];
    this.webhooks = emptyWebhookStats();
  }
}
