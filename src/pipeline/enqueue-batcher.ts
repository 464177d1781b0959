import { BatchPump } from '../lib/batch-pump.js';
import type { Payload, QueueName } from './catalog.js';
import type { Queues } from './queues.js';

interface Waiting {
  name: QueueName;
  payload: Payload<QueueName>;
  delayMs: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Lets the jobs running at once in a process share one round trip to Redis for the jobs they enqueue
 * next (BullMQ's addBulk: one pipelined write for many adds). Same job ids and options as
 * Queues.enqueue; a lone call starts at once (see BatchPump).
 */
export class EnqueueBatcher extends BatchPump<Waiting> {
  constructor(
    private readonly queues: Queues,
    maxBatch = 200,
    maxInFlight = 2,
  ) {
    super(maxBatch, maxInFlight);
  }

  enqueue<Q extends QueueName>(name: Q, payload: Payload<Q>, delayMs = 0): Promise<void> {
    return new Promise((resolve, reject) => this.add({ name, payload: payload as Payload<QueueName>, delayMs, resolve, reject }));
  }

  protected async run(batch: Waiting[]): Promise<void> {
    const byQueue = new Map<QueueName, Waiting[]>();
    for (const w of batch) {
      const list = byQueue.get(w.name);
      if (list) list.push(w);
      else byQueue.set(w.name, [w]);
    }
    await Promise.all(
      [...byQueue].map(([name, ws]) =>
        this.queues.enqueueMany(name, ws.map((w) => w.payload), ws.map((w) => Math.max(0, w.delayMs))).then(
          () => ws.forEach((w) => w.resolve()),
          (e: unknown) => ws.forEach((w) => w.reject(e)),
        ),
      ),
    );
  }
}
