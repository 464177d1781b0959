/** Request accounting for assertions (requests per route, statuses, rate-limit violations). */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SimStats {
  requests: number;
  byRoute: Record<string, number>;
  status: Record<string, number>;
  rateLimitViolations: number;
  log: Array<{ method: string; url: string; status: number; at: number }>;
  /** OAuth access tokens issued per grant_type. */
  tokensIssued: Record<string, number>;
  /** Outbound webhook deliveries (closeIncident / state changes to Resolved|Closed). */
  webhooks: { sent: number; failed: number };
}

const LOG_CAP = 10_000;

export class StatsRecorder {
  requests = 0;
  byRoute: Record<string, number> = {};
  status: Record<string, number> = {};
  log: SimStats['log'] = [];
  webhooks = { sent: 0, failed: 0 };

  /** `GET /api/now/table/incident/:sys_id` — the route template with the table filled in. */
  static routeKey(req: FastifyRequest): string {
    const template = req.routeOptions.url;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const path = template ? template.replace(':table', params.table ?? ':table') : (req.url.split('?')[0] ?? req.url);
    return `${req.method} ${path}`;
  }

  record(req: FastifyRequest, reply: FastifyReply): void {
    if ((req.url.split('?')[0] ?? '').startsWith('/sim/')) return;
    this.requests++;
    const key = StatsRecorder.routeKey(req);
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
    const code = String(reply.statusCode);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.log.push({ method: req.method, url: req.url, status: reply.statusCode, at: Date.now() });
    if (this.log.length > LOG_CAP) this.log.shift();
  }

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.status = {};
    this.log = [];
    this.webhooks = { sent: 0, failed: 0 };
  }
}
