import type { RedisClient } from '../redis/factory.js';
import { BatchPump } from '../lib/batch-pump.js';
import { sleep } from '../lib/retry.js';

// Grants up to ARGV[1] of the ARGV[2] sends of the current window, which opens with its first send and
// lasts a second (as BullMQ's limiter counts): returns {granted, ms until the window closes}.
const TAKE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if grant <= 0 then return {0, redis.call('PTTL', KEYS[1])} end
if used == 0 then redis.call('SET', KEYS[1], grant, 'PX', 1000) else redis.call('INCRBY', KEYS[1], grant) end
return {grant, 0}`;

interface Waiting {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The survey sends' share of MAIL_MAX_PER_SECOND, held in Redis so that it counts every process, and
 * counted per email (a batch job sends many): each send waits for its turn in a one-second window. The
 * sends asking at once take their turns in one round trip; those that do not fit wait for the next
 * window. (Reminders keep a BullMQ limiter on their queue: one job, one email.)
 */
export class MailPace extends BatchPump<Waiting> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly perSecond: number,
  ) {
    super(1000, 1);
  }

  /** Resolves when this email may go. */
  turn(): Promise<void> {
    return new Promise((resolve, reject) => this.add({ resolve, reject }));
  }

  protected async run(batch: Waiting[]): Promise<void> {
    let granted: number;
    let closesInMs: number;
    try {
      [granted, closesInMs] = ((await this.redis.eval(TAKE, 1, `${this.prefix}:mail-pace`, String(batch.length), String(this.perSecond))) as [number, number]).map(Number) as [number, number];
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    for (const w of batch.slice(0, granted)) w.resolve();
    const rest = batch.slice(granted);
    if (rest.length === 0) return;
    // Until the window closes (a little jitter, so that processes do not all ask at its first ms).
    await sleep(Math.max(1, closesInMs) + Math.floor(Math.random() * 10));
    this.retryFirst(rest);
  }
}
