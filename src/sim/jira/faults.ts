/**
 * Jira's side of fault injection (see ../common/faults.ts): which URLs, 429 with Jira Cloud's rate-limit
 * headers, 503 with Retry-After, 500, all with Jira's error body; plus the search lag knob.
 */
import type { FastifyReply } from 'fastify';
import { FaultInjector } from '../common/faults.js';
import type { CommonFaults, FaultResponses, RateLimited } from '../common/faults.js';
import { jiraError } from './errors.js';

export interface Faults extends CommonFaults {
  rate503: number;
  /** Search results lag behind writes by this much (Jira's search is eventually consistent). */
  searchLagMs: number;
}

export const DEFAULT_FAULTS: Faults = { rate429: 0, rate503: 0, rate500: 0, latencyMs: [0, 0], retryAfterSeconds: 0, searchLagMs: 0 };
export const RATE_LIMIT_LIMIT = '350';
export const RATE_LIMIT_REASON = 'jira-burst-based';

export function isFaultable(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/rest/') || path.startsWith('/ex/');
}

/** ISO 8601 without milliseconds, e.g. 2025-06-01T10:00:30Z. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function tooManyRequests(reply: FastifyReply, r: RateLimited): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(r.retryAfterSeconds))
    .header('x-ratelimit-limit', RATE_LIMIT_LIMIT)
    .header('x-ratelimit-remaining', '0')
    .header('x-ratelimit-reset', isoSeconds(r.deadlineMs))
    .header('ratelimit-reason', RATE_LIMIT_REASON)
    .send(jiraError(['Rate limit exceeded.']));
}

export const jiraFaultResponses: FaultResponses<Faults> = {
  isFaultable,
  tooManyRequests,
  unavailable: {
    rate: (f) => f.rate503,
    send: (reply, seconds) =>
      reply
        .code(503)
        .header('retry-after', String(seconds))
        .send(jiraError(['Service Unavailable: the request could not be completed, try again later.'])),
  },
  serverError: (reply) => reply.code(500).send(jiraError(['Internal server error (simulated).'])),
  wholeSeconds: true,
  // "If you reissue the request before the retry period expires, the request will fail and return the
  // same or longer Retry-After period."
  repeatRetryAfter: true,
};

export const createFaultInjector = (seed: number): FaultInjector<Faults> => new FaultInjector(seed, DEFAULT_FAULTS, jiraFaultResponses);
