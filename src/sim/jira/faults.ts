import { seededRandom } from '../../rules/sampling.js';
/**
 * Seeded fault injection for the Jira REST API: latency, 429 with Jira Cloud's rate-limit headers
 * (and tracking of requests made before Retry-After elapsed), 503 with Retry-After, 500.
 * Decided in onRequest, before any handler, so a faulted write never takes effect.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jiraError } from './errors.js';

export interface Faults {
  rate429: number;
  rate503: number;
  rate500: number;
  latencyMs: [number, number];
  retryAfterSeconds: number;
  /** Search results lag behind writes by this much (Jira's search is eventually consistent). */
  searchLagMs: number;
}

export const DEFAULT_FAULTS: Faults = { rate429: 0, rate503: 0, rate500: 0, latencyMs: [0, 0], retryAfterSeconds: 0, searchLagMs: 0 };
export const RATE_LIMIT_LIMIT = '350';
export const RATE_LIMIT_REASON = 'jira-burst-based';

/** mulberry32, shared with the sampling rule: a tiny deterministic PRNG, uniform in [0, 1). */
export const mulberry32 = seededRandom;

export function isFaultable(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/rest/') || path.startsWith('/ex/');
}

/** ISO 8601 without milliseconds, e.g. 2025-06-01T10:00:30Z. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FaultInjector {
  faults: Faults = { ...DEFAULT_FAULTS, latencyMs: [0, 0] };
  /** Epoch ms until which the last 429 asked clients to wait. */
  private deadline = 0;
  private lastRetryAfter = 0;
  violations = 0;
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  set(f: Partial<Faults>): void {
    this.faults = { ...this.faults, ...f, latencyMs: f.latencyMs ? [f.latencyMs[0], f.latencyMs[1]] : this.faults.latencyMs };
  }

  get(): Faults {
    return { ...this.faults, latencyMs: [this.faults.latencyMs[0], this.faults.latencyMs[1]] };
  }

  private send429(reply: FastifyReply, seconds: number): FastifyReply {
    return reply
      .code(429)
      .header('retry-after', String(seconds))
      .header('x-ratelimit-limit', RATE_LIMIT_LIMIT)
      .header('x-ratelimit-remaining', '0')
      .header('x-ratelimit-reset', isoSeconds(this.deadline))
      .header('ratelimit-reason', RATE_LIMIT_REASON)
      .send(jiraError(['Rate limit exceeded.']));
  }

  /**
   * onRequest hook. Four PRNG draws per request keep runs reproducible for a given seed and request sequence.
   * Jira: "If you reissue the request before the retry period expires, the request will fail and return the
   * same or longer Retry-After period" — a violation is counted and answered 429 with the same Retry-After.
   */
  async onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!isFaultable(req.url)) return undefined;
    const arrival = Date.now();
    const [lo, hi] = this.faults.latencyMs;
    const rLatency = this.rand();
    const r429 = this.rand();
    const r503 = this.rand();
    const r500 = this.rand();
    if (arrival < this.deadline) {
      // Answered with the same Retry-After period again; the deadline itself is not moved, so requests
      // that were already in flight when the first 429 went out cannot lock a well-behaved client out.
      this.violations++;
      return this.send429(reply, Math.max(1, this.lastRetryAfter, Math.ceil((this.deadline - arrival) / 1000)));
    }
    const delay = hi > 0 ? lo + rLatency * Math.max(0, hi - lo) : lo;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (r429 < this.faults.rate429) {
      const secs = Math.max(0, Math.round(this.faults.retryAfterSeconds));
      this.lastRetryAfter = secs;
      this.deadline = Math.max(this.deadline, Date.now() + secs * 1000);
      return this.send429(reply, secs);
    }
    if (r503 < this.faults.rate503) {
      return reply
        .code(503)
        .header('retry-after', String(Math.max(0, Math.round(this.faults.retryAfterSeconds))))
        .send(jiraError(['Service Unavailable: the request could not be completed, try again later.']));
    }
    if (r500 < this.faults.rate500) {
      return reply.code(500).send(jiraError(['Internal server error (simulated).']));
    }
    return undefined;
  }

  reset(): void {
    this.violations = 0;
  }
}
