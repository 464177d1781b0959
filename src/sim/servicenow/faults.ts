/** ServiceNow's side of fault injection (see ../common/faults.ts): which URLs, and its 429 and 500 answers. */
import type { FastifyReply } from 'fastify';
import { FaultInjector } from '../common/faults.js';
import type { CommonFaults, FaultResponses, RateLimited } from '../common/faults.js';
import { snError } from './util.js';

export type Faults = CommonFaults;

export const DEFAULT_FAULTS: Faults = { rate429: 0, rate500: 0, latencyMs: [0, 0], retryAfterSeconds: 0 };
export const RATE_LIMIT_LIMIT = '1000';
export const RATE_LIMIT_RULE = '9c1b6d0e1b2a2010a5b0a8f5e54bcb2f';

export function isFaultable(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/api/now/') || path === '/oauth_token.do';
}

/** Rate-limit rules answer with X-RateLimit-Reset in epoch seconds and name the rule that tripped. */
function tooManyRequests(reply: FastifyReply, r: RateLimited): FastifyReply {
  const detail = r.violation
    ? 'Request made before Retry-After elapsed; rate limit still in effect'
    : 'Too many requests: simulated rate limit rule exceeded';
  return reply
    .code(429)
    .header('retry-after', String(r.retryAfterSeconds))
    .header('x-ratelimit-limit', RATE_LIMIT_LIMIT)
    .header('x-ratelimit-reset', String(Math.ceil(r.deadlineMs / 1000)))
    .header('x-ratelimit-rule', RATE_LIMIT_RULE)
    .send(snError('Rate limit exceeded', detail));
}

export const serviceNowFaultResponses: FaultResponses<Faults> = {
  isFaultable,
  tooManyRequests,
  serverError: (reply) => reply.code(500).send(snError('Internal server error', 'simulated')),
};

export const createFaultInjector = (seed: number): FaultInjector<Faults> => new FaultInjector(seed, DEFAULT_FAULTS, serviceNowFaultResponses);
