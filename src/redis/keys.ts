import type { Redis } from 'ioredis';
import type { RedisClient } from './factory.js';

/**
 * Key layout. BullMQ names a queue's keys `<prefix>:<queue>:<suffix>` and its Lua scripts touch several of
 * them at once, so on Redis Cluster they must share a hash slot. Each queue's BullMQ prefix is therefore
 * `<QUEUE_PREFIX>:{<queue>}`: the braces make the queue name the hash tag, so one queue's keys live in
 * one slot and different queues spread over the masters. Every key of an installation still starts with
 * `<QUEUE_PREFIX>:` (one pattern finds them all).
 */
export const queuePrefix = (prefix: string, queue: string): string => `${prefix}:{${queue}}`;

/** A key of `queue` as BullMQ names it (e.g. a job hash: `queueKey(p, 'send', jobId)`). */
export const queueKey = (prefix: string, queue: string, suffix: string): string => `${queuePrefix(prefix, queue)}:${queue}:${suffix}`;

/** The nodes that hold keys: every master of a cluster, or the one server. */
export function masterNodes(client: RedisClient): Redis[] {
  return 'isCluster' in client && client.isCluster ? (client as import('ioredis').Cluster).nodes('master') : [client as Redis];
}

/**
 * Deletes every key matching `pattern`, on every master of a cluster (SCAN, not KEYS, so a large Redis
 * is not blocked). Keys are unlinked one by one on the node that holds them: a multi-key DEL would span
 * slots. Returns how many were deleted.
 */
export async function deleteKeys(client: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  // A cluster client knows its masters once it has read the slot map.
  if (masterNodes(client).length === 0) await client.ping();
  for (const node of masterNodes(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) {
        const results = (await keys.reduce((p, k) => p.unlink(k), node.pipeline()).exec()) ?? [];
        deleted += results.reduce((n, [err, v]) => n + (err ? 0 : Number(v)), 0);
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return deleted;
}
