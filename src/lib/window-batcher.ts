/**
 * Groups items arriving within a short window: the first item of a group opens it, and the group is
 * handed to `flush` when the window closes or the group is full. For work that arrives one item at a
 * time (answers from customers, one request each) and is cheaper done together.
 */
export class WindowBatcher<K, T> {
  private readonly open = new Map<K, { items: T[]; timer: NodeJS.Timeout; done: Promise<void>; settle: { resolve: () => void; reject: (e: unknown) => void } }>();

  constructor(
    private readonly flush: (key: K, items: T[]) => Promise<void>,
    private readonly windowMs: number,
    private readonly maxItems: number,
  ) {}

  /** Adds an item to the open group of `key`; resolves when its group has been flushed. */
  add(key: K, item: T): Promise<void> {
    let group = this.open.get(key);
    if (!group) {
      let settle!: { resolve: () => void; reject: (e: unknown) => void };
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const timer = setTimeout(() => this.close(key), this.windowMs);
      timer.unref();
      group = { items: [], timer, done, settle };
      this.open.set(key, group);
    }
    group.items.push(item);
    const done = group.done;
    if (group.items.length >= this.maxItems) this.close(key);
    return done;
  }

  /** Flushes every open group now (at shutdown); resolves when they are flushed. */
  async flushAll(): Promise<void> {
    const groups = [...this.open.entries()];
    for (const [key] of groups) this.close(key);
    await Promise.allSettled(groups.map(([, g]) => g.done));
  }

  private close(key: K): void {
    const group = this.open.get(key);
    if (!group) return;
    this.open.delete(key);
    clearTimeout(group.timer);
    this.flush(key, group.items).then(group.settle.resolve, group.settle.reject);
  }
}
