import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisFactory } from '../src/redis/factory.js';
import { queueKey } from '../src/redis/keys.js';
import { REDIS_URL, waitFor } from './support/env.js';
import { runFailoverLoop } from './support/failover-loop.js';
import { clusterKeySlot, clusterMasterForSlot, redisServerAvailable, startLocalCluster, type LocalTopology } from './support/redis-topology.js';

const available = redisServerAvailable();
if (!available) console.warn('SKIPPED: the Redis Cluster test needs redis-server and redis-cli on the PATH (apt-get install redis-server)');

/**
 * A real 3-master / 3-replica Redis Cluster on local ports: the whole loop with two worker processes,
 * and the master that holds the send queue's slot SIGKILLed mid-run. Its replica takes over; nothing
 * may be lost or done twice, and /readyz must say so while the queue cannot be reached.
 */
describe.skipIf(!available)('Redis Cluster', () => {
  let cluster: LocalTopology;
  beforeAll(async () => {
    cluster = await startLocalCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('spreads the queues over the masters, one slot per queue', async () => {
    const slots = ['decide', 'send', 'writeback', 'fetch', 'followup'].map((q) => clusterKeySlot(cluster, queueKey('fb', q, 'wait')));
    expect(new Set(slots.map((s) => clusterMasterForSlot(cluster, s))).size).toBe(3);
    expect(clusterKeySlot(cluster, queueKey('fb', 'send', 'wait'))).toBe(clusterKeySlot(cluster, queueKey('fb', 'send', 'fb-send-1')));
  });

  it('refuses a REDIS_URL whose form does not match the server (a cluster node as redis://, a plain server as redis+cluster://)', async () => {
    const port = cluster.nodes[0]!.port;
    await expect(new RedisFactory(`redis://127.0.0.1:${port}`).checkServerMode()).rejects.toThrow(new RegExp(`REDIS_URL: names 127.0.0.1:${port}, a Redis Cluster node: write it as redis\\+cluster://`));
    const plain = new URL(REDIS_URL);
    await expect(new RedisFactory(`redis+cluster://${plain.host}`).checkServerMode()).rejects.toThrow(/REDIS_URL: says redis\+cluster:\/\/ but .* is not a Redis Cluster node/);
    await expect(new RedisFactory(cluster.url).checkServerMode()).resolves.toBeUndefined();
    // Nothing listening: left to the start-up reachability check.
    await expect(new RedisFactory('redis://127.0.0.1:1').checkServerMode()).resolves.toBeUndefined();
  });

  it('runs the loop through a master kill: 0 lost, 0 duplicates, recovered without a restart in < 30 s', async () => {
    const r = await runFailoverLoop(cluster, {
      name: 'cluster',
      closures: 45,
      victim: (te) => clusterMasterForSlot(cluster, clusterKeySlot(cluster, queueKey(te.prefix, 'send', 'wait'))),
    });
    console.log(`Redis Cluster failover: ${JSON.stringify(r)}`);
    expect(r.counts).toEqual({ closuresLost: 0, duplicateClosures: 0, duplicateSurveys: 0, surveysNotSent: 0, answersWithoutNote: 0, duplicateNotes: 0, detractorsWithoutTask: 0, duplicateTasks: 0 });
    expect(r.totals.answers).toBeGreaterThan(0);
    expect(r.readyDownReason).toMatch(/queues .*send.* unreachable at redis\+cluster:/);
    expect(r.readyBackAfterMs).not.toBeNull();
    expect(r.readyBackAfterMs!).toBeLessThan(30_000);
    expect(r.firstSendAfterMs!).toBeLessThan(30_000);
    expect(r.workerErrorLines).toBe(0);
    for (const n of Object.values(r.redisErrorLines)) expect(n).toBeLessThanOrEqual(4);
  }, 240_000);

  // Last: it takes the whole cluster down.
  it('while the whole cluster is away a command fails instead of waiting (a webhook never hangs), and works again once it is back', async () => {
    const factory = new RedisFactory(cluster.url);
    try {
      const producer = factory.create({ kind: 'producer' });
      await producer.set('fbtest:{away}', '1');
      for (const n of cluster.nodes) cluster.kill(n.port);
      const outcome = await Promise.race([
        producer.set('fbtest:{away}', '2').then(() => 'answered', () => 'failed'),
        new Promise((r) => setTimeout(() => r('still waiting after 15 s'), 15_000)),
      ]);
      expect(outcome).toBe('failed');
      for (const n of cluster.nodes) await cluster.restart(n.port);
      await waitFor('the cluster to answer again', () => producer.set('fbtest:{away}', '3').then(() => true), 60_000, 500);
      await producer.del('fbtest:{away}');
    } finally {
      await factory.closeAll();
    }
  }, 120_000);
});
