import type { RedisClient } from '../../redis/factory.js';

// One round trip: count, and start the window's expiry on its first hit.
const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Fixed-window counter per survey token (keyed by a prefix of the token's hash, never the token):
 * one link cannot be hammered even from many addresses.
 */
export async function tokenOverLimit(redis: RedisClient, prefix: string, tokenHash: Buffer, perMinute: number): Promise<boolean> {
  const key = `${prefix}:rl-token:${tokenHash.subarray(0, 12).toString('hex')}:${Math.floor(Date.now() / 60_000)}`;
  try {
    const n = Number(await redis.eval(COUNT_SCRIPT, 1, key, '120'));
    return n > perMinute;
  } catch {
    return false;
  }
}
