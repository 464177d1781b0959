/** Fire-and-forget work (webhook deliveries) that tests and shutdown can still wait for. */
export class PendingWork {
  private readonly pending = new Set<Promise<void>>();

  track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once everything started so far, and anything it started in turn, has finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
