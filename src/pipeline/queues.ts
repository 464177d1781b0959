import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../redis/factory.js';
import { queuePrefix } from '../redis/keys.js';
import { catalog, QUEUE_NAMES, type Payload, type QueueName } from './catalog.js';

/** Producer side of the pipeline: validated, ids-only payloads with deterministic job ids. */
export class Queues {
  private readonly queues: Map<QueueName, Queue>;

  /**
   * @param namespace this database's installation id: job ids are `<namespace>-<stage id>`, so a
   * re-created database never meets the ids Redis remembers from the previous one.
   * @param onError a queue's 'error' events (its job scheduler's connection failing while Redis is away):
   * without a listener BullMQ prints each one to the console.
   */
  constructor(private readonly connection: RedisClient, readonly prefix: string, readonly namespace: string, onError: (err: Error) => void = () => {}) {
    // Each queue in a hash tag of its own (src/redis/keys.ts): one slot per queue on Redis Cluster.
    this.queues = new Map(QUEUE_NAMES.map((n) => [n, new Queue(n, { connection, prefix: queuePrefix(prefix, n) }).on('error', onError)]));
  }

  /** The BullMQ prefix of queue `name` (for a Worker or QueueEvents on it). */
  prefixFor(name: QueueName): string {
    return queuePrefix(this.prefix, name);
  }

  get(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  async enqueue<Q extends QueueName>(name: Q, payload: Payload<Q>, extra: JobsOptions = {}): Promise<string> {
    const def = catalog[name];
    const data = def.payload.parse(payload);
    const jobId = this.jobId(name, data as Payload<Q>);
    await this.get(name).add(name, data, { ...def.options, ...extra, jobId });
    return jobId;
  }

  /** Adds many jobs in bulk; `delays[i]` (ms) delays the i-th. */
  async enqueueMany<Q extends QueueName>(name: Q, payloads: Payload<Q>[], delays?: number[]): Promise<void> {
    if (payloads.length === 0) return;
    const def = catalog[name];
    for (let i = 0; i < payloads.length; i += 500) {
      await this.get(name).addBulk(
        payloads.slice(i, i + 500).map((p, k) => {
          const data = def.payload.parse(p) as Payload<Q>;
          const delay = delays?.[i + k];
          return { name, data, opts: { ...def.options, jobId: this.jobId(name, data), ...(delay ? { delay } : {}) } };
        }),
      );
    }
  }

  /**
   * For work Postgres says is still owed although it should long be done: a job that exists but can no
   * longer do it — orphaned (its hash survived a Redis wipe mid-flight, in no queue) or completed without
   * doing the work (it found a claim whose holder then died) — blocks re-adding its deterministic id.
   * Such jobs are removed and added again. Failed jobs are left for an admin to inspect and retry,
   * except those without data: an id a wipe left in a list without its hash, which a worker then took
   * and failed (nothing could ever run from it; the fault suite saw 25 at once).
   */
  async repair<Q extends QueueName>(name: Q, payloads: Payload<Q>[]): Promise<number> {
    let repaired = 0;
    const queue = this.get(name);
    for (const p of payloads) {
      const id = this.jobId(name, p);
      const state = await queue.getJobState(id);
      // The job's hash: one key, in the queue's slot.
      const key = queue.toKey(id);
      const failedWithoutData = state === 'failed' && !(await this.connection.hexists(key, 'data'));
      if (state !== 'unknown' && state !== 'completed' && !failedWithoutData) continue;
      if (state === 'unknown' && !(await this.connection.exists(key))) continue;
      await queue.remove(id).catch(() => 0);
      await this.enqueue(name, p);
      repaired++;
    }
    return repaired;
  }

  /** The deterministic id of the job for `payload` in queue `name`. */
  jobId<Q extends QueueName>(name: Q, payload: Payload<Q>): string {
    return `${this.namespace}-${(catalog[name].jobId as (p: Payload<Q>) => string)(payload)}`;
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }
}
