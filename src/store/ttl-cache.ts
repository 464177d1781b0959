/**
 * Values kept per process for a short time. Concurrent misses share one load; a failed load is not
 * kept. Values are deep-frozen, because every caller of the process shares them.
 *
 * Bounded, because keys can come from anyone (an unknown connector id in a public URL is looked up too):
 * at most `maxEntries` are kept — the oldest load goes first — and expired entries are dropped, not just
 * ignored: every call first removes the expired ones at the old end (entries are kept in load order, so
 * that is where they are), so a burst of random keys is gone one TTL later.
 */
export const DEFAULT_MAX_ENTRIES = 1000;

interface Entry<V> {
  at: number;
  value: Promise<V>;
  settled: boolean;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly maxEntries: number;
  private readonly keep: (value: V) => boolean;

  /**
   * @param opts.keep values it returns false for are shared by the callers waiting for that load, but
   * not kept after it (e.g. "no such connector": misses must not pile up from random ids).
   */
  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now, opts: { maxEntries?: number; keep?: (value: V) => boolean } = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.keep = opts.keep ?? (() => true);
  }

  /** Entries held now (expired ones included until the next call removes them). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * @param joinPending false: never wait for a load started by another caller, load afresh instead (a
   * caller holding a database connection must not wait for a load that needs another one).
   */
  get(key: string, load: () => Promise<V>, { joinPending = true } = {}): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const now = this.now();
    this.dropExpired(now);
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs && (hit.settled || joinPending)) return hit.value;
    const value = load().then(deepFreeze);
    const entry: Entry<V> = { at: now, value, settled: false };
    // Re-inserted, so that the map stays in load order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // A failed load is not remembered. (Invalidation drops the entry, so a load that raced a write is not kept.)
    value.then(
      (v) => {
        entry.settled = true;
        if (!this.keep(v) && this.entries.get(key) === entry) this.entries.delete(key);
      },
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

  private dropExpired(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.at < this.ttlMs) return;
      this.entries.delete(key);
    }
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
