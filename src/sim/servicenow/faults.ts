import { seededRandom } from '../../rules/sampling.js';
/** Seeded fault injection: latency, 429 with Retry-After (and violation tracking), 500. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { snError } from './util.js';

export interface Faults {
  rate429: number;
  rate500: number;
  latencyMs: [number, number];
  retryAfterSeconds: number;
}

export const DEFAULT_FAULTS: Faults = { rate429: 0, rate500: 0, latencyMs: [0, 0], retryAfterSeconds: 0 };
export const RATE_LIMIT_LIMIT = '1000';
export const RATE_LIMIT_RULE = '9c1b6d0e1b2a2010a5b0a8f5e54bcb2f';

/** mulberry32, shared with the sampling rule: a tiny deterministic PRNG, uniform in [0, 1). */
export const mulberry32 = seededRandom;

export function isFaultable(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/api/now/') || path === '/oauth_token.do';
}

export class FaultInjector {
  faults: Faults = { ...DEFAULT_FAULTS, latencyMs: [0, 0] };
  /** Epoch ms until which the last 429 asked clients to wait. */
  private deadline = 0;
  violations = 0;
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  set(f: Partial<Faults>): void {
    this.faults = { ...this.faults, ...f, latencyMs: f.latencyMs ? [f.latencyMs[0], f.latencyMs[1]] : this.faults.latencyMs };
  }

  private send429(reply: FastifyReply, seconds: number, detail: string): FastifyReply {
    return reply
      .code(429)
      .header('retry-after', String(seconds))
      .header('x-ratelimit-limit', RATE_LIMIT_LIMIT)
      .header('x-ratelimit-reset', String(Math.ceil(this.deadline / 1000)))
      .header('x-ratelimit-rule', RATE_LIMIT_RULE)
      .send(snError('Rate limit exceeded', detail));
  }

  /**
   * onRequest hook. Decides before any handler runs, so a faulted write never takes effect.
   * Three PRNG draws per request keep runs reproducible for a given seed and request sequence.
   */
  async onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!isFaultable(req.url)) return undefined;
    const arrival = Date.now();
    const [lo, hi] = this.faults.latencyMs;
    const rLatency = this.rand();
    const r429 = this.rand();
    const r500 = this.rand();
    if (arrival < this.deadline) {
      this.violations++;
      const remaining = Math.max(1, Math.ceil((this.deadline - arrival) / 1000));
      return this.send429(reply, remaining, 'Request made before Retry-After elapsed; rate limit still in effect');
    }
    const delay = hi > 0 ? lo + rLatency * Math.max(0, hi - lo) : lo;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (r429 < this.faults.rate429) {
      const secs = Math.max(0, this.faults.retryAfterSeconds);
      this.deadline = Math.max(this.deadline, Date.now() + secs * 1000);
      return this.send429(reply, secs, 'Too many requests: simulated rate limit rule exceeded');
    }
    if (r500 < this.faults.rate500) {
      return reply.code(500).send(snError('Internal server error', 'simulated'));
    }
    return undefined;
  }
}
