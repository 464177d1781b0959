import { BatchPump } from '../lib/batch-pump.js';
import type { StageContext } from './context.js';
import { decideClosure, decideClosures, type DecideOutcome } from './stages/decide.js';

interface Waiting {
  closureId: string;
  resolve: (o: DecideOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Lets the decide jobs running at once in this process share transactions: a decision costs five round
 * trips to Postgres (BEGIN and COMMIT included) whether it is for one closure or fifty. A job never
 * waits for a batch to fill (see BatchPump).
 * Each job still finds its own outcome (and enqueues its own send after the commit).
 */
export class DecideBatcher extends BatchPump<Waiting> {
  constructor(
    private readonly ctx: StageContext,
    // A poll page's closures are decided in a few batches of this size.
    maxBatch = 200,
    maxInFlight = 2,
  ) {
    super(maxBatch, maxInFlight);
  }

  decide(closureId: string): Promise<DecideOutcome> {
    return new Promise((resolve, reject) => this.add({ closureId, resolve, reject }));
  }

  protected async run(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      return decideClosure(this.ctx, only.closureId).then(only.resolve, only.reject);
    }
    let result: Awaited<ReturnType<typeof decideClosures>>;
    try {
      result = await decideClosures(this.ctx, batch.map((w) => w.closureId));
    } catch {
      // One bad closure must not fail the others (nor a deadlock all of them): each is decided alone.
      await Promise.all(batch.map((w) => decideClosure(this.ctx, w.closureId).then(w.resolve, w.reject)));
      return;
    }
    const deferred: Waiting[] = [];
    for (const w of batch) {
      const outcome = result.outcomes.get(w.closureId);
      if (outcome) w.resolve(outcome);
      else deferred.push(w);
    }
    // Another closure of the same person (or ticket) was decided in this batch: first in the next one.
    this.retryFirst(deferred);
  }
}
