import { BatchPump } from './batch-pump.js';

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Lets the jobs running at once in a process share one statement for the same kind of write (a claim,
 * a finish): `runBatch` gets every item submitted meanwhile and returns one result per item, in order.
 * A lone item starts at once (see BatchPump), so nobody waits for a batch to fill. When a batch of
 * several fails, each of its items runs again alone: one bad item (or a deadlock) must not fail the
 * others, and each caller gets its own outcome.
 */
export class StatementBatcher<I, O> extends BatchPump<Waiting<I, O>> {
  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    maxBatch = 100,
    maxInFlight = 2,
  ) {
    super(maxBatch, maxInFlight);
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => this.add({ item, resolve, reject }));
  }

  protected async run(batch: Array<Waiting<I, O>>): Promise<void> {
    try {
      const out = await this.runBatch(batch.map((w) => w.item));
      if (out.length !== batch.length) throw new Error(`batch returned ${out.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(out[i]!));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      await Promise.all(batch.map((w) => this.runBatch([w.item]).then((r) => w.resolve(r[0]!), w.reject)));
    }
  }
}
