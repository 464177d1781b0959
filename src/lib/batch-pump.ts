/**
 * The batching both MicroBatcher and DecideBatcher use: requests queue up; while fewer than
 * `maxInFlight` batches run, the queued requests (up to `maxBatch`) start one at once, so a lone request
 * never waits for a batch to fill, and requests arriving meanwhile form the next batch.
 */
export abstract class BatchPump<W> {
  protected readonly waiting: W[] = [];
  private running = 0;

  constructor(
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  /** Runs one batch; settles every request in it (or puts some back with `retryFirst`). */
  protected abstract run(batch: W[]): Promise<void>;

  protected add(request: W): void {
    this.waiting.push(request);
    this.pump();
  }

  /** Puts requests back at the front, to go in the next batch. */
  protected retryFirst(requests: W[]): void {
    this.waiting.unshift(...requests);
  }

  private pump(): void {
    while (this.running < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}
