import type { RedisClient } from '../redis/factory.js';

/**
 * A "not before" instant per destination, shared by every process: when an ITSM answers 429 with
 * Retry-After, no process calls it again before that instant (DESIGN.md: limits hold across processes).
 */
export interface RateGate {
  /** Epoch ms before which `key` must not be called (0 when open); refreshes this process's view of the shared gate when it is stale. */
  openAt(key: string): Promise<number>;
  /**
   * The same without I/O: this process's own closures (exact) and its last read of the shared gate.
   * Checked synchronously right before a request is sent, so nothing can close the gate in between.
   */
  knownOpenAt(key: string): number;
  /** Keep `key` closed until `untilMs` (never shortens an existing closure). */
  closeUntil(key: string, untilMs: number): Promise<void>;
  /** Waits until a call to `key` fits in `perSecond` calls per second (counted across processes). */
  acquire(key: string, perSecond: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLOSE_SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if untilMs > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`;

/**
 * How long a process trusts its last read of the shared gate (one Redis GET per key per period): the bound
 * on how late a process learns of a closure another process wrote. Its own closures it knows at once.
 */
export const SHARED_READ_MS = 100;

export class RedisRateGate implements RateGate {
  // Local copy so that a process that was told to wait does not need Redis to remember it.
  private readonly local = new Map<string, number>();
  // Every ITSM call and every send asks the gate (3+ times per closure). Reading Redis once per key per
  // SHARED_READ_MS, shared by concurrent callers, costs a process that missed another's 429 at most that
  // long of calls (plus a Redis round trip), which get their own 429 and close the gate here too. The
  // local map is authoritative for this process's own closures: a cached read never hides them.
  private readonly shared = new Map<string, { value: number; readAt: number }>();
  private readonly reading = new Map<string, Promise<number>>();
  constructor(private readonly redis: RedisClient, private readonly prefix: string, private readonly sharedReadMs = SHARED_READ_MS) {}

  async openAt(key: string): Promise<number> {
    await this.sharedOpenAt(key);
    return this.knownOpenAt(key);
  }

  knownOpenAt(key: string): number {
    return Math.max(this.shared.get(key)?.value ?? 0, this.local.get(key) ?? 0);
  }

  private sharedOpenAt(key: string): Promise<number> {
    const cached = this.shared.get(key);
    if (cached && Date.now() - cached.readAt < this.sharedReadMs) return Promise.resolve(cached.value);
    let read = this.reading.get(key);
    if (!read) {
      read = this.redis
        .get(`${this.prefix}:gate:${key}`)
        .then((v) => {
          const value = Number(v ?? 0);
          this.shared.set(key, { value, readAt: Date.now() });
          return value;
        })
        .finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  async closeUntil(key: string, untilMs: number): Promise<void> {
    this.local.set(key, Math.max(untilMs, this.local.get(key) ?? 0));
    const ttl = Math.max(1, Math.ceil(untilMs - Date.now()) + 1000);
    await this.redis.eval(CLOSE_SCRIPT, 1, `${this.prefix}:gate:${key}`, String(untilMs), String(ttl));
  }

  async acquire(key: string, perSecond: number): Promise<void> {
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      const k = `${this.prefix}:rate:${key}:${second}`;
      const [[, n]] = (await this.redis.multi().incr(k).expire(k, 2).exec()) as [[null, number], unknown];
      if (n <= perSecond) return;
      await sleep((second + 1) * 1000 - Date.now() + Math.floor(Math.random() * 20));
    }
  }
}

export class MemoryRateGate implements RateGate {
  private readonly until = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  async acquire(key: string, perSecond: number): Promise<void> {
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      const k = `${key}:${second}`;
      const n = (this.counts.get(k) ?? 0) + 1;
      this.counts.set(k, n);
      if (this.counts.size > 1000) this.counts.clear();
      if (n <= perSecond) return;
      await sleep((second + 1) * 1000 - Date.now());
    }
  }
  async openAt(key: string): Promise<number> {
    return this.knownOpenAt(key);
  }
  knownOpenAt(key: string): number {
    return this.until.get(key) ?? 0;
  }
  async closeUntil(key: string, untilMs: number): Promise<void> {
    this.until.set(key, Math.max(untilMs, this.until.get(key) ?? 0));
  }
}
