import { BatchPump } from './batch-pump.js';

interface Waiting<K, V> {
  key: K;
  resolve: (v: V) => void;
  reject: (e: unknown) => void;
}

/**
 * Lets the jobs running at once in a process share one round trip for the same kind of read. A lone call
 * costs what it did before, and under load (when round trips are what the CPU is spent on) twenty
 * concurrent loads cost two or three (see BatchPump).
 */
export class MicroBatcher<K, V> extends BatchPump<Waiting<K, V>> {
  /**
   * @param runBatch loads every key given (distinct) in one go; keys missing from its result get `missing`.
   */
  constructor(
    private readonly runBatch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: V,
    maxBatch = 50,
    maxInFlight = 2,
  ) {
    super(maxBatch, maxInFlight);
  }

  load(key: K): Promise<V> {
    return new Promise((resolve, reject) => this.add({ key, resolve, reject }));
  }

  protected async run(batch: Array<Waiting<K, V>>): Promise<void> {
    try {
      const found = await this.runBatch([...new Set(batch.map((w) => w.key))]);
      for (const w of batch) w.resolve(found.has(w.key) ? found.get(w.key)! : this.missing);
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
  }
}
