import type { Logger } from '../logger.js';
import type { RateGate } from '../lib/rate-gate.js';

/** A ticket as every connector reports it: plain data, ITSM specifics already mapped. */
export interface TicketSnapshot {
  externalId: string;
  key: string | null;
  title: string | null;
  category: string | null;
  subcategory: string | null;
  priority: string | null;
  state: string | null;
  /** The ticket is in one of the connector's closed states now. */
  isClosed: boolean;
  /** When it reached the closed state (identifies the closure). Null when not closed. */
  closedAt: Date | null;
  closeCode: string | null;
  assignmentGroupId: string | null;
  assignmentGroupName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  resolverId: string | null;
  resolverName: string | null;
  requester: {
    externalId: string | null;
    email: string | null;
    name: string | null;
    locale: string | null;
    timeZone: string | null;
  };
  openedAt: Date | null;
  updatedAt: Date;
}

/** One page of a poll: the closed tickets on it and the high-water mark of their update times. */
export interface PollPage {
  tickets: TicketSnapshot[];
  maxUpdatedAt: Date | null;
}

/** A push notification that passed authentication: which record to re-read, and how to dedupe it. */
export interface InboundNotice {
  externalId: string;
  dedupeKey: string;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  body: unknown;
}

export type WebhookVerdict =
  | { ok: true; notices: InboundNotice[]; ignored?: string }
  | { ok: false; status: 400 | 401 | 403; message: string };

export interface ConnectionCheck {
  ok: boolean;
  latencyMs: number;
  message: string;
}

/**
 * What every ITSM connector implements (DESIGN.md "Connectors are plugins").
 * The outbound half (write feedback, follow-up tasks, task state) joins with the closing-the-loop stage.
 */
export interface Connector {
  readonly id: string;
  readonly kind: string;
  /** Authenticate and parse a push notification. Must not throw on hostile input. */
  verifyWebhook(req: WebhookRequest): WebhookVerdict;
  /** Closed tickets updated at or after `since`, page by page (the caller commits each page). */
  pollClosures(since: Date): AsyncGenerator<PollPage>;
  /** Re-read one ticket; null when it no longer exists. */
  fetchTicket(externalId: string): Promise<TicketSnapshot | null>;
  checkConnection(): Promise<ConnectionCheck>;
}

export interface ConnectorDeps {
  logger: Logger;
  gate: RateGate;
  http: { timeoutMs: number; maxAttempts: number; maxInlineWaitMs: number };
  /** Observes each ITSM call (metrics hook); never throws. */
  onCall?: (call: { connectorId: string; operation: string; status: number | 'network' }) => void;
}
