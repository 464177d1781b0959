/**
 * Values kept per process for a short time. Concurrent misses share one load; a failed load is not
 * kept. Values are deep-frozen, because every caller of the process shares them.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V>; settled: boolean }>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /**
   * @param joinPending false: never wait for a load started by another caller, load afresh instead (a
   * caller holding a database connection must not wait for a load that needs another one).
   */
  get(key: string, load: () => Promise<V>, { joinPending = true } = {}): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs && (hit.settled || joinPending)) return hit.value;
    const value = load().then(deepFreeze);
    const entry = { at: this.now(), value, settled: false };
    this.entries.set(key, entry);
    // A failed load is not remembered. (Invalidation drops the entry, so a load that raced a write is not kept.)
    value.then(
      () => void (entry.settled = true),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  invalidate(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
