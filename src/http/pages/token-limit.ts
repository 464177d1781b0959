import type { Redis } from 'ioredis';

/**
 * Fixed-window counter per survey token (keyed by a prefix of the token's hash, never the token):
 * one link cannot be hammered even from many addresses.
 */
export async function tokenOverLimit(redis: Redis, prefix: string, tokenHash: Buffer, perMinute: number): Promise<boolean> {
  const key = `${prefix}:rl-token:${tokenHash.subarray(0, 12).toString('hex')}:${Math.floor(Date.now() / 60_000)}`;
  try {
    const n = await redis.incr(key);
    if (n === 1) await redis.expire(key, 120);
    return n > perMinute;
  } catch {
    return false;
  }
}
