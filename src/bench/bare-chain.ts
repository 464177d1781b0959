import { Queue, Worker } from 'bullmq';
import { RedisFactory } from '../redis/factory.js';
import { queuePrefix } from '../redis/keys.js';
import { redisCpuSeconds } from './cpu.js';

/**
 * The ceiling: the same number of stages as the pipeline, each a BullMQ queue with a no-op processor
 * that enqueues the next stage, on the same Redis with the same concurrency. Returns chains per second,
 * and the CPU a chain cost (this process, and the Redis server as INFO reports it).
 */
export async function bareChainThroughput(redisUrl: string, prefix: string, stages: number, n: number, concurrency: number): Promise<{ perSecond: number; cpuMs: { node: number; redis: number } }> {
  const redis = new RedisFactory(redisUrl);
  const connection = redis.create({ kind: 'bench', use: 'blocking' });
  const redisBefore = await redisCpuSeconds(connection);
  const nodeBefore = process.cpuUsage();
  // Each stage in its own hash tag, as the service's queues are (one slot per queue on a Cluster).
  const queues = Array.from({ length: stages }, (_, i) => new Queue(`bare${i}`, { connection, prefix: queuePrefix(prefix, `bare${i}`) }));
  let done = 0;
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const workers = queues.map(
    (q, i) =>
      new Worker(
        q.name,
        async (job) => {
          if (i + 1 < stages) await queues[i + 1]!.add('s', { id: job.data.id }, { jobId: `s${i + 1}-${job.data.id}`, removeOnComplete: true });
          else if (++done === n) resolve();
        },
        { connection, prefix: queuePrefix(prefix, q.name), concurrency },
      ),
  );
  const started = Date.now();
  for (let i = 0; i < n; i += 500) {
    await queues[0]!.addBulk(Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ name: 's', data: { id: i + k }, opts: { jobId: `s0-${i + k}`, removeOnComplete: true } })));
  }
  await finished;
  const perSecond = n / ((Date.now() - started) / 1000);
  const node = process.cpuUsage(nodeBefore);
  const cpuMs = { node: (node.user + node.system) / 1000 / n, redis: ((await redisCpuSeconds(connection)) - redisBefore) * 1000 / n };
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
  await redis.closeAll();
  return { perSecond, cpuMs };
}
