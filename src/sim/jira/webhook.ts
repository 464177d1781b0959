/**
 * Outbound admin webhooks as Jira sends them: JSON body, X-Atlassian-Webhook-Identifier (stable across
 * retries of one delivery), X-Atlassian-Webhook-Retry (absent on the first try), X-Hub-Signature
 * (sha256=<hex HMAC-SHA256 of the raw body>, only with a secret; Data Center webhooks are unsigned).
 * Retries on 408/409/425/429/5xx and timeouts / network errors; at-least-once (optionally delivered twice).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mulberry32 } from '../common/faults.js';
import { PendingWork } from '../common/pending.js';
import type { StatsRecorder } from './stats.js';

export interface JiraWebhookTarget {
  url: string;
  /** null = unsigned (Data Center). */
  secret: string | null;
}

export interface WebhookDelivery {
  identifier: string;
  url: string;
  body: string;
  attempts: Array<{ retry: number; status: number | null; error?: string }>;
  duplicate: boolean;
}

const RETRYABLE = new Set([408, 409, 425, 429]);
const isRetryable = (status: number) => RETRYABLE.has(status) || status >= 500;

export function signature(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export class JiraWebhookSender {
  target: JiraWebhookTarget | null = null;
  /** Probability that a delivery is sent a second time (same identifier). */
  duplicateRate = 0;
  /** How many times to retry a failed attempt (408/409/425/429/5xx/timeout/network error). */
  failFirstAttempts = 3;
  /** Delay before retry n (1-based) is retryDelaysMs[n-1]; the last value repeats. */
  retryDelaysMs: number[] = [200, 500, 1000];
  /** Per-attempt timeout. */
  timeoutMs = 10_000;
  /** Every delivery made so far (most recent last, capped). */
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new PendingWork();
  private readonly rand: () => number;

  constructor(
    private readonly stats: StatsRecorder,
    seed: number,
  ) {
    this.rand = mulberry32(seed ^ 0x5eed);
  }

  /** Fire-and-forget; outcomes are counted in stats().webhooks. */
  send(payload: unknown, target: JiraWebhookTarget | null = this.target): void {
    if (!target) return;
    const body = JSON.stringify(payload);
    const identifier = randomUUID();
    const duplicate = this.rand() < this.duplicateRate;
    const p = (async () => {
      const ok = await this.deliver(target, identifier, body, false);
      if (ok && duplicate) {
        this.stats.webhooks.duplicates++;
        await this.deliver(target, identifier, body, true);
      }
    })();
    this.pending.track(p);
  }

  private async deliver(target: JiraWebhookTarget, identifier: string, body: string, duplicate: boolean): Promise<boolean> {
    const record: WebhookDelivery = { identifier, url: target.url, body, attempts: [], duplicate };
    this.deliveries.push(record);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    const maxRetries = Math.max(0, Math.floor(this.failFirstAttempts));
    for (let retry = 0; ; retry++) {
      if (retry > 0) {
        const delays = this.retryDelaysMs.length ? this.retryDelaysMs : [0];
        await new Promise((r) => setTimeout(r, delays[Math.min(retry - 1, delays.length - 1)]));
        this.stats.webhooks.retried++;
      }
      this.stats.webhooks.attempts++;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-identifier': identifier,
        'x-atlassian-webhook-flow': 'Primary',
      };
      if (retry > 0) headers['x-atlassian-webhook-retry'] = String(retry);
      if (target.secret !== null) headers['x-hub-signature'] = signature(target.secret, body);
      let status: number | null = null;
      try {
        const res = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        record.attempts.push({ retry, status });
      } catch (e) {
        record.attempts.push({ retry, status: null, error: e instanceof Error ? e.message : String(e) });
      }
      if (status !== null && status >= 200 && status < 300) {
        this.stats.webhooks.sent++;
        return true;
      }
      if ((status === null || isRetryable(status)) && retry < maxRetries) continue;
      this.stats.webhooks.failed++;
      return false;
    }
  }

  /** Resolves once every delivery started so far (including retries) has finished. */
  flush(): Promise<void> {
    return this.pending.flush();
  }
}
