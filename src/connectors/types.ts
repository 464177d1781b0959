import type { Logger } from '../logger.js';
import type { RateGate } from '../lib/rate-gate.js';
import type { OAuthTokenStore } from '../store/oauth-tokens.js';

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
  query: Record<string, unknown>;
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

/** An answer written onto the ticket. The marker (carried in the text) makes a retry detectable. */
export interface FeedbackNote {
  marker: string;
  text: string;
  visibility: 'internal' | 'public' | 'none';
  /** Structured values for configured ticket fields (field name → value). */
  fields: Record<string, string>;
  /** The answer as structured data, for ITSMs that store it (Jira issue property). */
  data?: Record<string, unknown>;
}

export interface FollowUpTaskInput {
  marker: string;
  parentExternalId: string;
  title: string;
  description: string;
  assignmentGroupId: string | null;
  assigneeId: string | null;
  dueAt: Date;
  priority: string;
}

export interface TaskRef {
  externalId: string;
  key: string | null;
}

export interface TaskState {
  closed: boolean;
  state: string | null;
  closeNotes: string | null;
  closedAt: Date | null;
}

/**
 * What every ITSM connector implements (DESIGN.md "Connectors are plugins"): intake (webhooks,
 * polling, re-reads) and the outbound half (feedback on the ticket, follow-up tasks, task state).
 * Every outbound write carries a marker so that a retry can look before it writes again.
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

  /** Makes customer-written text inert for this ITSM's rendering (e.g. no ServiceNow [code] blocks). */
  neutralise(customerText: string): string;
  /** Where an agent opens the ticket (or task) in the ITSM's UI. */
  ticketUrl(externalId: string, key: string | null): string;
  /** Was a note with this marker already written on the ticket (by an earlier, interrupted attempt)? */
  hasNote(ticketExternalId: string, marker: string, visibility: 'internal' | 'public'): Promise<boolean>;
  writeFeedback(ticketExternalId: string, note: FeedbackNote): Promise<void>;
  findFollowUpTask(parentExternalId: string, marker: string): Promise<TaskRef | null>;
  createFollowUpTask(task: FollowUpTaskInput): Promise<TaskRef>;
  /** A note on a follow-up task (internal), e.g. the customer changed their rating. */
  addTaskNote(taskExternalId: string, text: string): Promise<void>;
  hasTaskNote(taskExternalId: string, marker: string): Promise<boolean>;
  readTaskState(taskExternalId: string): Promise<TaskState | null>;
  /**
   * The address of an assignment group (its id or name), for the team digest; null when the group has
   * none. Optional: ITSMs without group addresses (Jira) leave it out.
   */
  groupEmail?(groupIdOrName: string): Promise<string | null>;
}

export interface ConnectorDeps {
  logger: Logger;
  gate: RateGate;
  http: { timeoutMs: number; maxAttempts: number; maxInlineWaitMs: number };
  /** Observes each ITSM call (metrics hook); never throws. */
  onCall?: (call: { connectorId: string; operation: string; status: number | 'network' }) => void;
  /** OAuth token state shared across processes (rotating refresh tokens, e.g. Jira Cloud 3LO apps). */
  oauthTokens?: OAuthTokenStore;
}
