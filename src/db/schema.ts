import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Kysely table types mirroring migrations/. Timestamps come back as Date (pg default parser). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface ConnectorsTable {
  id: string;
  kind: 'servicenow' | 'jira';
  name: string;
  enabled: Generated<boolean>;
  definition: Json<unknown>;
  secrets_ciphertext: string;
  revision: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OAuthTokensTable {
  connector_id: string;
  access_token_ciphertext: string | null;
  expires_at: NullableTimestamp;
  issued_at: NullableTimestamp;
  refresh_token_ciphertext: string;
  seed_hash: string;
  grant_error: string | null;
  grant_error_client: string | null;
  retry_not_before: NullableTimestamp;
  failures: Generated<number>;
  updated_at: Timestamp;
}

export interface PollCursorsTable {
  connector_id: string;
  cursor_at: Timestamp;
  last_started_at: NullableTimestamp;
  last_succeeded_at: NullableTimestamp;
  last_error: string | null;
  last_fetched: number | null;
  last_pages: number | null;
  consecutive_failures: Generated<number>;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
}

export interface PeopleTable {
  id: Generated<string>;
  email: string;
  email_domain: string;
  display_name: string | null;
  locale: string | null;
  time_zone: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketsTable {
  id: Generated<string>;
  connector_id: string;
  external_id: string;
  external_key: string | null;
  title: string | null;
  category: string | null;
  subcategory: string | null;
  priority: string | null;
  state: string | null;
  assignment_group_id: string | null;
  assignment_group_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  requester_external_id: string | null;
  requester_person_id: string | null;
  opened_at: NullableTimestamp;
  source_updated_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClosuresTable {
  id: Generated<string>;
  ticket_id: string;
  closed_at: Timestamp;
  close_code: string | null;
  resolver_external_id: string | null;
  resolver_name: string | null;
  source: 'poll' | 'webhook' | 'manual';
  status: Generated<'pending' | 'decided'>;
  received_at: Timestamp;
}

export interface InboundEventsTable {
  id: Generated<string>;
  connector_id: string;
  dedupe_key: string;
  /** SHA-256 of a signed delivery's raw body (a replay with a fresh identifier is still a duplicate). */
  content_hash: ColumnType<string | null, string | null | undefined, string | null>;
  external_id: string;
  received_at: Timestamp;
  processed_at: NullableTimestamp;
  result: string | null;
}

export interface SurveyDecisionsTable {
  id: Generated<string>;
  closure_id: string;
  connector_id: string;
  person_id: string | null;
  outcome: 'survey' | 'suppressed';
  reason: string;
  detail: string;
  decided_at: Timestamp;
}

export type SurveyStatus = 'scheduled' | 'sending' | 'sent' | 'failed' | 'unknown' | 'cancelled' | 'expired';

export interface SurveysTable {
  id: Generated<string>;
  decision_id: string;
  closure_id: string;
  ticket_id: string;
  connector_id: string;
  person_id: string;
  scale: Generated<'csat' | 'nps' | 'ces'>;
  locale: string | null;
  status: Generated<SurveyStatus>;
  send_after: Timestamp;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  message_id: string | null;
  sent_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
  failed_reason: string | null;
  expires_at: NullableTimestamp;
  reminder_status: 'sending' | 'sent' | 'skipped' | 'failed' | 'unknown' | null;
  reminder_claimed_at: NullableTimestamp;
  reminder_sent_at: NullableTimestamp;
  reminder_message_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SurveyTokensTable {
  token_hash: Buffer;
  survey_id: string;
  purpose: 'answer' | 'unsubscribe';
  created_at: Timestamp;
}

export interface ResponsesTable {
  id: Generated<string>;
  survey_id: string;
  score: number;
  comment: string | null;
  submitted_at: Timestamp;
  seconds_since_sent: number | null;
  user_agent: string | null;
  client_ip_hash: string | null;
  flagged: Generated<boolean>;
  flag_reasons: ColumnType<string[], string[] | undefined, string[]>;
  is_active: Generated<boolean>;
  /** The optional "what mattered most" answer (migrations/0030). */
  what_mattered: ColumnType<WhatMattered | null, WhatMattered | null | undefined, WhatMattered | null>;
}

export type WhatMattered = 'responsiveness' | 'reliability' | 'assurance' | 'empathy' | 'other';

export interface WritebacksTable {
  id: Generated<string>;
  response_id: string;
  survey_id: string;
  connector_id: string;
  marker: string;
  status: Generated<'pending' | 'claimed' | 'done' | 'failed' | 'superseded'>;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  done_at: NullableTimestamp;
  external_ref: string | null;
  last_error: string | null;
  created_at: Timestamp;
}

export type FollowUpStatus = 'pending' | 'claimed' | 'open' | 'closed' | 'cancelled' | 'failed';

export interface FollowUpsTable {
  id: Generated<string>;
  survey_id: string;
  response_id: string;
  ticket_id: string;
  connector_id: string;
  marker: string;
  status: Generated<FollowUpStatus>;
  due_at: Timestamp;
  attempts: Generated<number>;
  external_id: string | null;
  external_key: string | null;
  assignment_group_id: string | null;
  assignee_id: string | null;
  created_external_at: NullableTimestamp;
  overdue_at: NullableTimestamp;
  escalated_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  outcome: string | null;
  /** Parsed from the close notes against followUp.outcomeCodes (migrations/0030). */
  outcome_code: ColumnType<string | null, string | null | undefined, string | null>;
  sla_checks: Generated<number>;
  noted_response_id: string | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SnsMessagesTable {
  message_id: string;
  topic_arn: string;
  type: string;
  received_at: Timestamp;
}

export interface MailEventsTable {
  id: Generated<string>;
  survey_id: string | null;
  ses_message_id: string | null;
  kind: 'delivery' | 'bounce' | 'complaint';
  recipient: string;
  detail: string | null;
  occurred_at: Timestamp;
}

export interface SuppressionsTable {
  email: string;
  reason: 'unsubscribed' | 'bounced' | 'complained' | 'manual';
  source: string | null;
  created_at: Timestamp;
  lifted_at: NullableTimestamp;
  lifted_by: string | null;
}

export type DigestStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'skipped';

/** The weekly team digest ledger (migrations/0030): one row per team and period. */
export interface DigestsTable {
  id: Generated<string>;
  connector_id: string;
  team_key: string;
  team_label: string;
  period_start: ColumnType<string, string, string>;
  period_from: Timestamp;
  period_to: Timestamp;
  time_zone: string;
  locale: string;
  recipient: string | null;
  status: Generated<DigestStatus>;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  message_id: string | null;
  reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

// writebacks and follow_ups exist in the schema; their stage adds their types.
export interface InstallationTable {
  id: string;
  created_at: Timestamp;
}

export interface Database {
  installation: InstallationTable;
  connectors: ConnectorsTable;
  oauth_tokens: OAuthTokensTable;
  poll_cursors: PollCursorsTable;
  people: PeopleTable;
  tickets: TicketsTable;
  closures: ClosuresTable;
  inbound_events: InboundEventsTable;
  survey_decisions: SurveyDecisionsTable;
  surveys: SurveysTable;
  survey_tokens: SurveyTokensTable;
  responses: ResponsesTable;
  suppressions: SuppressionsTable;
  sns_messages: SnsMessagesTable;
  writebacks: WritebacksTable;
  follow_ups: FollowUpsTable;
  mail_events: MailEventsTable;
  digests: DigestsTable;
}

export type ConnectorRow = Selectable<ConnectorsTable>;
export type TicketInsert = Insertable<TicketsTable>;
