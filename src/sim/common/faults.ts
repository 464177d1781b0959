/**
 * Seeded fault injection both simulators share: latency, 429 with Retry-After (counting requests made
 * before it elapsed), an optional 503, and 500. Decided in onRequest, before any handler, so a faulted
 * write never takes effect. What the answers look like (status headers, error body) belongs to each ITSM
 * and comes in as FaultResponses.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { seededRandom } from '../../rules/sampling.js';

/** The knobs every simulator has; an ITSM may add its own (Jira: rate503, searchLagMs). */
export interface CommonFaults {
  rate429: number;
  rate500: number;
  latencyMs: [number, number];
  retryAfterSeconds: number;
}

/** mulberry32, shared with the sampling rule: a tiny deterministic PRNG, uniform in [0, 1). */
export const mulberry32 = seededRandom;

export interface RateLimited {
  /** Value of the Retry-After header. */
  retryAfterSeconds: number;
  /** Epoch ms until which clients were asked to wait (for the ITSM's reset header). */
  deadlineMs: number;
  /** The client came back before Retry-After elapsed. */
  violation: boolean;
}

export interface FaultResponses<F extends CommonFaults> {
  /** Only the ITSM's own API is faulted, never /sim/*. */
  isFaultable(url: string): boolean;
  tooManyRequests(reply: FastifyReply, r: RateLimited): FastifyReply;
  serverError(reply: FastifyReply): FastifyReply;
  /** When given, a fourth PRNG draw per request (between the 429 and 500 draws) decides 503s. */
  unavailable?: { rate(f: F): number; send(reply: FastifyReply, retryAfterSeconds: number): FastifyReply };
  /** Retry-After is sent rounded to whole seconds (Jira) instead of as configured (ServiceNow). */
  wholeSeconds?: boolean;
  /**
   * A violation is answered with at least the previous Retry-After again (Jira: "the same or longer
   * Retry-After period"); otherwise with the time remaining (ServiceNow).
   */
  repeatRetryAfter?: boolean;
}

export class FaultInjector<F extends CommonFaults> {
  faults: F;
  violations = 0;
  /** Epoch ms until which the last 429 asked clients to wait. */
  private deadline = 0;
  private lastRetryAfter = 0;
  private readonly rand: () => number;

  constructor(
    seed: number,
    defaults: F,
    private readonly responses: FaultResponses<F>,
  ) {
    this.rand = mulberry32(seed);
    this.faults = { ...defaults, latencyMs: [defaults.latencyMs[0], defaults.latencyMs[1]] };
  }

  set(f: Partial<F>): void {
    this.faults = { ...this.faults, ...f, latencyMs: f.latencyMs ? [f.latencyMs[0], f.latencyMs[1]] : this.faults.latencyMs };
  }

  get(): F {
    return { ...this.faults, latencyMs: [this.faults.latencyMs[0], this.faults.latencyMs[1]] };
  }

  reset(): void {
    this.violations = 0;
  }

  private retryAfter(): number {
    const s = this.responses.wholeSeconds ? Math.round(this.faults.retryAfterSeconds) : this.faults.retryAfterSeconds;
    return Math.max(0, s);
  }

  /**
   * onRequest hook. The same number of PRNG draws on every request keeps runs reproducible for a given
   * seed and request sequence, whatever the outcome.
   */
  async onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const r = this.responses;
    if (!r.isFaultable(req.url)) return undefined;
    const arrival = Date.now();
    const [lo, hi] = this.faults.latencyMs;
    const rLatency = this.rand();
    const r429 = this.rand();
    const r503 = r.unavailable ? this.rand() : 1;
    const r500 = this.rand();
    if (arrival < this.deadline) {
      // The deadline itself is not moved, so requests that were already in flight when the first 429
      // went out cannot lock a well-behaved client out.
      this.violations++;
      const remaining = Math.ceil((this.deadline - arrival) / 1000);
      const seconds = Math.max(1, remaining, r.repeatRetryAfter ? this.lastRetryAfter : 0);
      return r.tooManyRequests(reply, { retryAfterSeconds: seconds, deadlineMs: this.deadline, violation: true });
    }
    const delay = hi > 0 ? lo + rLatency * Math.max(0, hi - lo) : lo;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (r429 < this.faults.rate429) {
      const seconds = this.retryAfter();
      this.lastRetryAfter = seconds;
      this.deadline = Math.max(this.deadline, Date.now() + seconds * 1000);
      return r.tooManyRequests(reply, { retryAfterSeconds: seconds, deadlineMs: this.deadline, violation: false });
    }
    if (r.unavailable && r503 < r.unavailable.rate(this.faults)) return r.unavailable.send(reply, this.retryAfter());
    if (r500 < this.faults.rate500) return r.serverError(reply);
    return undefined;
  }
}
