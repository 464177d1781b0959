import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailoverLoop } from './support/failover-loop.js';
import { redisServerAvailable, sentinelMaster, startLocalSentinel, type LocalTopology } from './support/redis-topology.js';

const available = redisServerAvailable();
if (!available) console.warn('SKIPPED: the Redis Sentinel test needs redis-server and redis-cli on the PATH (apt-get install redis-server)');

/**
 * A real Sentinel set on local ports (one master, two replicas, three sentinels): the whole loop with two
 * worker processes, and the master SIGKILLed mid-run. The sentinels promote a replica; every client
 * must follow it without a restart, nothing may be lost or done twice, and /readyz must say so meanwhile.
 */
describe.skipIf(!available)('Redis Sentinel', () => {
  let sentinel: LocalTopology;
  beforeAll(async () => {
    sentinel = await startLocalSentinel();
  }, 120_000);
  afterAll(async () => {
    await sentinel?.stop();
  });

  it('runs the loop through a master kill: 0 lost, 0 duplicates, failover followed without a restart in < 30 s', async () => {
    const before = sentinelMaster(sentinel);
    const r = await runFailoverLoop(sentinel, { name: 'sentinel', closures: 45, victim: () => sentinelMaster(sentinel) });
    console.log(`Redis Sentinel failover: ${JSON.stringify(r)}`);
    expect(sentinelMaster(sentinel)).not.toBe(before);
    expect(r.counts).toEqual({ closuresLost: 0, duplicateClosures: 0, duplicateSurveys: 0, surveysNotSent: 0, answersWithoutNote: 0, duplicateNotes: 0, detractorsWithoutTask: 0, duplicateTasks: 0 });
    expect(r.totals.answers).toBeGreaterThan(0);
    expect(r.readyDownReason).toMatch(/unreachable at redis\+sentinel:/);
    expect(r.readyBackAfterMs).not.toBeNull();
    expect(r.readyBackAfterMs!).toBeLessThan(30_000);
    expect(r.firstSendAfterMs!).toBeLessThan(30_000);
    expect(r.workerErrorLines).toBe(0);
    for (const n of Object.values(r.redisErrorLines)) expect(n).toBeLessThanOrEqual(4);
  }, 240_000);
});
