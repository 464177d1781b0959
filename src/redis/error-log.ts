import type { Logger } from '../logger.js';

/**
 * Redis errors at a bounded rate. While Redis is away every client reports each reconnect attempt, and
 * BullMQ re-emits the same failure per queue and per blocking connection; one line per interval per kind
 * of client (with how many repeats were left out) says all of that, and one more when it is back.
 */
export class RedisErrorLog {
  private readonly kinds = new Map<string, { loggedAt: number; suppressed: number; last: string }>();

  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    /** Where Redis is, as REDIS_URL names it (hosts only, no credentials). */
    private readonly where: string,
    readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(kind: string, err: unknown): void {
    const message = errorMessage(err);
    const t = this.now();
    const s = this.kinds.get(kind);
    if (s && t - s.loggedAt < this.intervalMs) {
      s.suppressed++;
      s.last = message;
      return;
    }
    const suppressed = s?.suppressed ?? 0;
    this.logger.warn(
      { redis: this.where, client: kind, err: message, ...(suppressed ? { suppressed, lastSuppressed: s!.last } : {}) },
      `redis error (${kind} connections to ${this.where})${suppressed ? `; ${suppressed} more in the last ${Math.round((t - s!.loggedAt) / 1000)} s` : ''}; next report in ${Math.round(this.intervalMs / 1000)} s at the earliest`,
    );
    this.kinds.set(kind, { loggedAt: t, suppressed: 0, last: message });
  }

  /** A client of `kind` is connected again: one line if errors were reported for it. */
  recovered(kind: string): void {
    const s = this.kinds.get(kind);
    if (!s) return;
    this.kinds.delete(kind);
    this.logger.info({ redis: this.where, client: kind, ...(s.suppressed ? { suppressed: s.suppressed } : {}) }, `redis reachable again (${kind} connections to ${this.where})`);
  }
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { lastNodeError?: Error }).lastNodeError ?? (err.cause instanceof Error ? err.cause : undefined);
  return cause && !err.message.includes(cause.message) ? `${err.message} (${cause.message})` : err.message;
}
