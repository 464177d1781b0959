/**
 * After an ITSM asked us to slow down (429, or 503 with Retry-After), this process sends it one call at a
 * time until it has answered `calmAfter` calls in a row normally again. A 429 can only be honoured once it
 * has arrived: calls already on the wire when it was sent reach the ITSM inside its Retry-After window.
 * With one call in flight there is no such call, so a storm costs one refused call per closure of the
 * gate instead of a burst of them. Outside a storm calls run concurrently as before.
 */
export interface Turn {
  /** Leave the lane (after the answer has been handled, so a 429 closes the gate before the next call). */
  leave(): void;
}

export class SingleFile {
  private cautious = false;
  private streak = 0;
  private busy = false;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly calmAfter = 20) {}

  /** True while calls must go one at a time. */
  get active(): boolean {
    return this.cautious;
  }

  /** Waits for this caller's turn (FIFO) while cautious; null (no turn needed) when calls may run side by side. */
  async enter(): Promise<Turn | null> {
    if (!this.cautious) return null;
    if (this.busy) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
      if (!this.cautious) {
        // Calm returned while we queued: whether we were handed the lane or let go, nobody holds it now.
        this.busy = false;
        for (const next of this.queue.splice(0)) next();
        return null;
      }
    }
    this.busy = true;
    let left = false;
    return {
      leave: () => {
        if (left) return;
        left = true;
        this.handOver();
      },
    };
  }

  /** Records how the ITSM answered a call. */
  observe(rateLimited: boolean): void {
    if (rateLimited) {
      this.cautious = true;
      this.streak = 0;
      return;
    }
    if (this.cautious && ++this.streak >= this.calmAfter) {
      this.cautious = false;
      this.streak = 0;
    }
  }

  private handOver(): void {
    if (!this.cautious) {
      this.busy = false;
      for (const next of this.queue.splice(0)) next();
      return;
    }
    const next = this.queue.shift();
    if (next) next(); // the lane passes straight to the next caller
    else this.busy = false;
  }
}
