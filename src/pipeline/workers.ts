import { DelayedError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../redis/factory.js';
import { queuePrefix } from '../redis/keys.js';
import type { Logger } from '../logger.js';
import { RetryLaterError } from '../lib/retry.js';
import { ItsmError } from '../connectors/http/itsm-http.js';
import { catalog, type Payload, type QueueName } from './catalog.js';

export type Processor<Q extends QueueName> = (payload: Payload<Q>, job: Job) => Promise<unknown>;
export type Processors = { [Q in QueueName]?: Processor<Q> };

/**
 * Consumer side: one BullMQ worker per stage. A destination's "come back later" (RetryLaterError)
 * delays the job without spending an attempt; a permanent ITSM refusal fails it at once.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly concurrency: number,
    /** Per-queue rate limits, enforced by BullMQ across every worker process. */
    private readonly limits: Partial<Record<QueueName, { max: number; duration: number }>> = {},
    private readonly lockMs = 30_000,
    /** Observes each finished job (metrics); never throws. */
    private readonly onJobDone?: (queue: string, outcome: 'completed' | 'failed' | 'delayed', seconds: number) => void,
    /**
     * Worker 'error' events: BullMQ emits one per queue for every failed Redis call of its connections
     * (thousands a second when Redis is away or a cluster answers MOVED); the caller rate-limits them.
     */
    private readonly onError: (err: Error, queue: string) => void = (err, queue) => this.logger.error({ queue, err }, 'worker error'),
  ) {}

  start(processors: Processors): void {
    for (const [name, processor] of Object.entries(processors) as [QueueName, Processor<QueueName>][]) {
      const worker = new Worker(
        name,
        async (job, token) => {
          const payload = catalog[name].payload.parse(job.data) as Payload<QueueName>;
          try {
            return await processor(payload, job);
          } catch (e) {
            if (e instanceof RetryLaterError && token) {
              await job.moveToDelayed(e.untilMs + 10, token);
              throw new DelayedError();
            }
            if (e instanceof ItsmError && e.permanent) await job.discard();
            throw e;
          }
        },
        {
          connection: this.connection,
          prefix: queuePrefix(this.prefix, name),
          concurrency: name === 'poll' ? Math.min(4, this.concurrency) : this.concurrency,
          maxStalledCount: 5,
          lockDuration: this.lockMs,
          stalledInterval: this.lockMs,
          ...(this.limits[name] ? { limiter: this.limits[name] } : {}),
        },
      );
      const observe = (job: Job | undefined, outcome: 'completed' | 'failed' | 'delayed') => {
        if (job?.processedOn) this.onJobDone?.(name, outcome, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
      };
      worker.on('completed', (job) => observe(job, 'completed'));
      worker.on('failed', (job, err) => {
        observe(job, err?.name === 'DelayedError' ? 'delayed' : 'failed');
        if (err instanceof DelayedError || err?.name === 'DelayedError') return;
        this.logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err }, 'job failed');
      });
      worker.on('error', (err) => this.onError(err, name));
      this.workers.push(worker);
    }
  }

  /** Lets active jobs finish until the deadline, then closes hard (unfinished jobs stall and are retried elsewhere). */
  async close(deadlineMs: number): Promise<void> {
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      graceful.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), deadlineMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.logger.warn({ deadlineMs }, 'workers did not finish before the shutdown deadline; closing hard');
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
  }
}
