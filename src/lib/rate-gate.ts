import type { Redis } from 'ioredis';

/**
 * A "not before" instant per destination, shared by every process: when an ITSM answers 429 with
 * Retry-After, no process calls it again before that instant (DESIGN.md: limits hold across processes).
 */
export interface RateGate {
  /** Epoch ms before which `key` must not be called (0 when open). */
  openAt(key: string): Promise<number>;
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

export class RedisRateGate implements RateGate {
  // Local copy so that a process that was told to wait does not need Redis to remember it.
  private readonly local = new Map<string, number>();
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async openAt(key: string): Promise<number> {
    const shared = Number((await this.redis.get(`${this.prefix}:gate:${key}`)) ?? 0);
    return Math.max(shared, this.local.get(key) ?? 0);
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
    return this.until.get(key) ?? 0;
  }
  async closeUntil(key: string, untilMs: number): Promise<void> {
    this.until.set(key, Math.max(untilMs, this.until.get(key) ?? 0));
  }
}
