/**
 * Outbound push, standing in for the customer's Business Rule ("State changes to Closed")
 * that calls sn_ws.RESTMessageV2 with a small JSON body and a secret header.
 */
import { PendingWork } from '../common/pending.js';
import type { StatsRecorder } from './stats.js';

export interface WebhookTarget {
  url: string;
  headers: Record<string, string>;
}

export interface WebhookPayload {
  table: string;
  sys_id: string;
  number: string;
  state: string;
  sys_updated_on: string;
}

export class WebhookSender {
  target: null | WebhookTarget = null;
  private readonly pending = new PendingWork();

  constructor(private readonly stats: StatsRecorder) {}

  /** Fire-and-forget; failures are swallowed and counted in stats().webhooks.failed. */
  send(payload: WebhookPayload): void {
    const target = this.target;
    if (!target) return;
    const p = (async () => {
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...target.headers },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.stats.webhooks.sent++;
        else this.stats.webhooks.failed++;
      } catch {
        this.stats.webhooks.failed++;
      }
    })();
    this.pending.track(p);
  }

  /** Resolves once every delivery started so far has finished (handy in tests). */
  flush(): Promise<void> {
    return this.pending.flush();
  }
}
