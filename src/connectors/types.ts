import type { Logger } from '../logger.js';
import type { RateGate } from '../lib/rate-gate.js';
import type { ItsmDoc } from '../render/itsm-doc.js';
import type { OAuthTokenStore } from '../store/oauth-tokens.js';
import type { HostPolicy } from './http/host-policy.js';

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
  /** Signed deliveries: a hash of the signed bytes, so that a replay under a new dedupe key is still a duplicate. */
  contentHash?: string;
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

/** One thing a connection check looked at: ok, failed (with the ITSM's own error text), or not verifiable (null). */
export interface CheckStep {
  check: 'auth' | 'read' | 'write';
  label: string;
  ok: boolean | null;
  detail: string;
  /** Worth fixing although it works (e.g. the integration user's time zone is not UTC). */
  warning?: string;
}

export interface ConnectionCheck {
  ok: boolean;
  latencyMs: number;
  message: string;
  /** What was checked, step by step: authentication, reading a ticket, permission to write notes and create tasks. */
  steps?: CheckStep[];
  /** On failure: the HTTP status (null when there was no answer) and a classified reason (see connection-check.ts). */
  status?: number | null;
  reason?: string;
}

/** An answer written onto the ticket. The marker (carried in the text) makes a retry detectable. */
export interface FeedbackNote {
  marker: string;
  /** Our text with the customer's parts kept apart: the connector escapes those for its target. */
  doc: ItsmDoc;
  visibility: 'internal' | 'public' | 'none';
  /** Structured values for configured ticket fields (field name → value). */
  fields: Record<string, string>;
  /** The answer as structured data, for ITSMs that store it (Jira issue property). */
  data?: Record<string, unknown>;
}

export interface FollowUpTaskInput {
  marker: string;
  parentExternalId: string;
  /** Our text only (no customer text): a plain one-line summary. */
  title: string;
  description: ItsmDoc;
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

/** An improvement initiative as an ITSM record (ServiceNow problem or a configured table; Jira issue). */
export interface ImprovementRecordInput {
  /** Travels in the record (ServiceNow correlation_id and description, Jira label) so a retry can find it. */
  marker: string;
  /** Plain text (one line). */
  title: string;
  /** Our template with the initiative's free text kept as data (the connector writes it for its target). */
  description: ItsmDoc;
  /** The initiative's team group in this ITSM (ServiceNow assignment group), when it has one here. */
  assignmentGroupId: string | null;
  /** Look for a record carrying the marker before creating one (after an interrupted attempt). */
  findFirst: boolean;
}

export interface ImprovementRecordRef {
  externalId: string;
  key: string | null;
  /** Where people open it in the ITSM's UI. */
  url: string;
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

  /** Where an agent opens the ticket (or task) in the ITSM's UI. */
  ticketUrl(externalId: string, key: string | null): string;
  /** Was a note with this marker already written on the ticket (by an earlier, interrupted attempt)? */
  hasNote(ticketExternalId: string, marker: string, visibility: 'internal' | 'public'): Promise<boolean>;
  writeFeedback(ticketExternalId: string, note: FeedbackNote): Promise<void>;
  findFollowUpTask(parentExternalId: string, marker: string): Promise<TaskRef | null>;
  createFollowUpTask(task: FollowUpTaskInput): Promise<TaskRef>;
  /** A note on a follow-up task (internal), e.g. the customer changed their rating. */
  addTaskNote(taskExternalId: string, doc: ItsmDoc): Promise<void>;
  hasTaskNote(taskExternalId: string, marker: string): Promise<boolean>;
  readTaskState(taskExternalId: string): Promise<TaskState | null>;
  /** Mirrors an improvement initiative as a record in this ITSM, once (see ImprovementRecordInput.findFirst). */
  mirrorImprovement(input: ImprovementRecordInput): Promise<ImprovementRecordRef>;
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
  /** ITSM_ALLOWED_HOSTS: every outbound call (API and OAuth token endpoint) is checked against it. */
  hostPolicy?: HostPolicy;
  /** Signed webhooks whose signed timestamp is older than this are refused as replays (Jira Cloud). */
  webhookMaxAgeMs?: number;
}
