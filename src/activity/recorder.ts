import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { activityDb, type ActivityDb } from './tables.js';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'rejected';
export type ItsmOutcome = 'ok' | 'rate_limited' | 'server_error' | 'auth' | 'client_error' | 'network';

export interface WebhookSeen {
  connectorId: string;
  status: number;
  outcome: WebhookOutcome;
  reason?: string | null;
  summary?: string | null;
  test?: boolean;
  at?: Date;
}

/** 429 → rate_limited, 5xx → server_error, 401/403 → auth, other 4xx → client_error. */
export function itsmOutcome(status: number | 'network'): ItsmOutcome {
  if (status === 'network') return 'network';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 400) return 'client_error';
  return 'ok';
}

interface DeliveryRow {
  connectorId: string;
  at: Date;
  status: number;
  outcome: WebhookOutcome;
  reason: string | null;
  summary: string | null;
  test: boolean;
}

const MAX_KEYS = 500;
const MAX_DELIVERIES_PER_FLUSH = 200;
const PRUNE_EVERY_MS = 10 * 60_000;
const clip = (s: string | null | undefined, n: number) => (s ? s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, n) : null);

/**
 * Counts webhooks and ITSM calls per connector and minute in memory and writes them every `flushMs`
 * in two statements, whatever the rate: the webhook and ITSM hot paths pay a Map update, not a round
 * trip. A process that dies loses at most one interval of counts (health figures, not records: the
 * closures themselves are in Postgres already).
 */
export class ActivityRecorder {
  private counts = new Map<string, number>();
  private deliveries: DeliveryRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private flushing: Promise<void> | null = null;
  private readonly db: ActivityDb;

  constructor(db: Db, private readonly logger: Logger, private readonly opts: { flushMs?: number; keepDays?: number } = {}) {
    this.db = activityDb(db);
  }

  start(): this {
    this.timer ??= setInterval(() => void this.flush(), this.opts.flushMs ?? 2000);
    this.timer.unref();
    return this;
  }

  webhook(w: WebhookSeen): void {
    const at = w.at ?? new Date();
    this.count(w.connectorId, at, 'webhook', w.outcome, w.outcome === 'rejected' ? clip(w.reason, 120) ?? '' : '');
    const list = this.deliveries;
    list.push({ connectorId: w.connectorId, at, status: w.status, outcome: w.outcome, reason: clip(w.reason, 300), summary: clip(w.summary, 200), test: w.test ?? false });
    if (list.length > MAX_DELIVERIES_PER_FLUSH) list.shift();
  }

  itsmCall(connectorId: string, status: number | 'network', at = new Date()): void {
    this.count(connectorId, at, 'itsm', itsmOutcome(status), '');
  }

  private count(connectorId: string, at: Date, kind: string, outcome: string, reason: string) {
    const minute = Math.floor(at.getTime() / 60_000) * 60_000;
    let key = JSON.stringify([connectorId, minute, kind, outcome, reason]);
    // Hostile input cannot grow the map without bound: past the cap, reasons fold into one.
    if (!this.counts.has(key) && this.counts.size >= MAX_KEYS) key = JSON.stringify([connectorId, minute, kind, outcome, reason ? '(other reasons)' : '']);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Writes what was counted since the last flush (also called at stop, and by tests). */
  flush(): Promise<void> {
    return (this.flushing ??= this.write().finally(() => (this.flushing = null)));
  }

  private async write(): Promise<void> {
    const counts = this.counts;
    const deliveries = this.deliveries;
    this.counts = new Map();
    this.deliveries = [];
    try {
      if (counts.size > 0) {
        const rows = [...counts].map(([k, count]) => {
          const [connectorId, minute, kind, outcome, reason] = JSON.parse(k) as [string, number, 'webhook' | 'itsm', string, string];
          return { connector_id: connectorId, minute: new Date(minute), kind, outcome, reason, count };
        });
        await this.db
          .insertInto('connector_activity')
          .values(rows)
          .onConflict((oc) => oc.columns(['connector_id', 'minute', 'kind', 'outcome', 'reason']).doUpdateSet({ count: sql`connector_activity.count + excluded.count` }))
          .execute();
      }
      if (deliveries.length > 0) {
        await this.db
          .insertInto('webhook_deliveries')
          .values(deliveries.map((d) => ({ connector_id: d.connectorId, received_at: d.at, status: d.status, outcome: d.outcome, reason: d.reason, summary: d.summary, test: d.test })))
          .execute();
      }
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        const keep = `${this.opts.keepDays ?? 7} days`;
        await sql`DELETE FROM connector_activity WHERE minute < now() - ${keep}::interval`.execute(this.db);
        await sql`DELETE FROM webhook_deliveries WHERE received_at < now() - ${keep}::interval`.execute(this.db);
      }
    } catch (err) {
      this.logger.warn({ err }, 'connector activity could not be written; these counts are lost');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
