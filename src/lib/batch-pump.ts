/**
 * The batching MicroBatcher, StatementBatcher and DecideBatcher use: requests queue up; while fewer than
 * `maxInFlight` batches run, the queued requests (up to `maxBatch`) start one batch. The pump runs once
 * the current turn of the event loop is done (setImmediate), so that the requests made together — the
 * items of one batch job, the jobs woken by one reply — go in one batch; a lone request still starts
 * in that same turn, without waiting for others. Requests arriving while batches run form the next one.
 */
export abstract class BatchPump<W> {
  protected readonly waiting: W[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  /** Runs one batch; settles every request in it (or puts some back with `retryFirst`). */
  protected abstract run(batch: W[]): Promise<void>;

  protected add(request: W): void {
    this.waiting.push(request);
    this.schedule();
  }

  /** Puts requests back at the front, to go in the next batch. */
  protected retryFirst(requests: W[]): void {
    this.waiting.unshift(...requests);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }
}
