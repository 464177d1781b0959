import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService, type RunningService } from '../src/service.js';
import { createTestEnv, waitFor, type TestEnv } from './support/env.js';
import { spawnMain, type Spawned } from './support/process.js';
import { redisServerAvailable, startLocalRedis, type LocalTopology } from './support/redis-topology.js';

const available = redisServerAvailable();
if (!available) console.warn('SKIPPED: the Redis-away test needs redis-server on the PATH (apt-get install redis-server)');

/**
 * Redis goes away under a running service and comes back: /readyz says 503 and that it is Redis (by
 * name, with its address), the processes log a bounded number of lines instead of one per queue per
 * reconnect attempt, and everything comes back without a restart.
 */
describe.skipIf(!available)('while Redis is away', () => {
  let redis: LocalTopology;
  let te: TestEnv;
  let api: RunningService;
  let worker: Spawned;
  const apiLogs: string[] = [];
  beforeAll(async () => {
    redis = await startLocalRedis();
    te = await createTestEnv({ REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    const sink = new Writable({ write(chunk, _enc, cb) { apiLogs.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
    api = await startService(loadConfig({ ...te.env, ROLES: 'api' }), createLogger('info', sink));
    worker = spawnMain(['serve'], { ...te.env, ROLES: 'worker,scheduler' });
    await waitFor('the worker process to start', () => worker.output().includes('service started'), 60_000, 100);
  }, 120_000);
  afterAll(async () => {
    // Redis back first (if a failed assertion left it down), so that everything can clean up.
    const node = redis?.nodes[0];
    if (node && (node.child.exitCode !== null || node.child.signalCode !== null)) await redis.restart(node.port);
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await api?.stop();
    await te?.cleanup();
    await redis?.stop();
  });

  const readyz = async () => {
    const r = await fetch(`${api.url}/readyz`);
    return { status: r.status, body: (await r.json()) as { ok: boolean; checks: Record<string, string>; down: string[] } };
  };

  it('answers 503 naming Redis, logs a bounded number of lines, and recovers without a restart', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { ok: true, checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' }, down: [] } });
    const port = redis.nodes[0]!.port;
    const workerLinesBefore = worker.output().split('\n').length - 1;
    const apiLinesBefore = apiLogs.length;
    redis.kill(port);
    const away = await waitFor('/readyz 503', async () => ((await readyz()).status === 503 ? readyz() : null), 20_000, 200);
    expect(away.body.down).toEqual(['redis']);
    expect(away.body.checks.postgres).toBe('ok');
    expect(away.body.checks.redis).toMatch(new RegExp(`^queues poll, .*maintenance unreachable at redis://127\\.0\\.0\\.1:${port}: `));
    // Ten seconds away: each of the nine workers' connections and the producers retry many times meanwhile.
    await new Promise((r) => setTimeout(r, 10_000));
    const workerLines = worker.output().split('\n').slice(workerLinesBefore).filter(Boolean);
    const apiLines = apiLogs.slice(apiLinesBefore);
    const redisErrors = (lines: string[]) => lines.filter((l) => l.includes('"msg":"redis error'));
    // One line per kind of client (worker, producer) in the interval, naming where Redis is.
    expect(redisErrors(workerLines).length).toBeGreaterThan(0);
    expect(redisErrors(workerLines).length).toBeLessThanOrEqual(2);
    expect(redisErrors(apiLines).length).toBeLessThanOrEqual(1);
    for (const l of redisErrors([...workerLines, ...apiLines])) expect(JSON.parse(l).redis).toBe(`redis://127.0.0.1:${port}`);
    // Nothing else repeats per queue or per attempt (the scheduler's own sync runs every 30 s).
    expect(workerLines.length).toBeLessThanOrEqual(4);
    expect(apiLines.length).toBeLessThanOrEqual(2);
    expect([...workerLines, ...apiLines].join('\n')).not.toMatch(/worker error|Unhandled error event|ECONNREFUSED[^\n]*\n\s+at /);

    await redis.restart(port);
    await waitFor('/readyz 200 again', async () => (await readyz()).status === 200, 30_000, 200);
    await waitFor('the worker to say Redis is back', () => /redis reachable again \(worker connections/.test(worker.output()), 30_000, 200);
    // And the pipeline works again in the worker process: a poll job is taken and done.
    await api.ctx.queues.get('maintenance').add('maintenance', { task: 'reconcile' }, { jobId: 'after-outage' });
    await waitFor('a job done after the outage', async () => (await api.ctx.queues.get('maintenance').getJobState('after-outage')) === 'completed', 30_000, 200);
  }, 120_000);
});
