/** ServiceNow's stats() shape and its counters beyond requests (see ../common/request-stats.ts). */
import type { FastifyRequest } from 'fastify';
import { RequestStats, routeKeyOf } from '../common/request-stats.js';
import type { RequestLogEntry } from '../common/request-stats.js';

export interface SimStats {
  requests: number;
  byRoute: Record<string, number>;
  status: Record<string, number>;
  rateLimitViolations: number;
  log: RequestLogEntry[];
  /** OAuth access tokens issued per grant_type. */
  tokensIssued: Record<string, number>;
  /** Outbound webhook deliveries (closeIncident / state changes to Resolved|Closed). */
  webhooks: { sent: number; failed: number };
}

/** `GET /api/now/table/incident/:sys_id`: the route template with the table filled in. */
export function routeKey(req: FastifyRequest): string {
  const params = (req.params ?? {}) as Record<string, string | undefined>;
  return routeKeyOf(req, (template) => template.replace(':table', params.table ?? ':table'));
}

export class StatsRecorder extends RequestStats {
  webhooks = { sent: 0, failed: 0 };

  constructor() {
    super(routeKey);
  }

  override reset(): void {
    super.reset();
    this.webhooks = { sent: 0, failed: 0 };
  }
}
