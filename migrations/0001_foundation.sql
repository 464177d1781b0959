-- Foundation schema. Forward-only: later stages add migrations, never edit this one.
-- Postgres is the source of truth; every stage's result is a row here before the next job is enqueued.

-- Identifies this database. Job ids are namespaced with it, so that a re-created database never
-- collides with jobs that Redis still remembers from the previous one (ids restart at 1).
CREATE TABLE installation (
  id         text PRIMARY KEY DEFAULT substr(md5(gen_random_uuid()::text), 1, 10),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;

CREATE TABLE connectors (
  id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  kind               text NOT NULL CHECK (kind IN ('servicenow', 'jira')),
  name               text NOT NULL,
  enabled            boolean NOT NULL DEFAULT true,
  -- Everything but secrets, validated by the connector definition schema.
  definition         jsonb NOT NULL,
  -- AES-256-GCM envelope (see src/lib/secret-box.ts) of a JSON object of this connector's secrets.
  secrets_ciphertext text NOT NULL,
  revision           integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE poll_cursors (
  connector_id         text PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
  -- High-water mark of the ITSM's own update time seen by the last complete poll.
  cursor_at            timestamptz NOT NULL,
  last_started_at      timestamptz,
  last_succeeded_at    timestamptz,
  last_error           text,
  last_fetched         integer,
  last_pages           integer,
  consecutive_failures integer NOT NULL DEFAULT 0,
  -- One poll per connector at a time across processes; a lease (not a session lock) so that it works
  -- behind transaction-pooling proxies and expires if the polling process dies.
  lease_owner          text,
  lease_until          timestamptz
);

-- One row per person, identified across connectors by normalised email (anti-spam is per person).
CREATE TABLE people (
  id           bigserial PRIMARY KEY,
  email        text NOT NULL UNIQUE,
  email_domain text NOT NULL,
  display_name text,
  locale       text,
  time_zone    text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tickets (
  id                    bigserial PRIMARY KEY,
  connector_id          text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  external_id           text NOT NULL,         -- ServiceNow sys_id, Jira issue id
  external_key          text,                  -- INC0010001, SUP-12
  title                 text,
  category              text,
  subcategory           text,
  priority              text,
  state                 text,
  assignment_group_id   text,
  assignment_group_name text,
  assignee_id           text,
  assignee_name         text,
  requester_external_id text,
  requester_person_id   bigint REFERENCES people (id),
  opened_at             timestamptz,
  source_updated_at     timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connector_id, external_id)
);
CREATE INDEX tickets_requester ON tickets (requester_person_id);
CREATE INDEX tickets_group ON tickets (connector_id, assignment_group_id);

-- A ticket reaching a closed state. Reopened and closed again = a new closure (new closed_at).
CREATE TABLE closures (
  id                    bigserial PRIMARY KEY,
  ticket_id             bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  closed_at             timestamptz NOT NULL,
  close_code            text,
  resolver_external_id  text,
  resolver_name         text,
  source                text NOT NULL CHECK (source IN ('poll', 'webhook', 'manual')),
  status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'decided')),
  received_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ticket_id, closed_at)
);
CREATE INDEX closures_pending ON closures (received_at) WHERE status = 'pending';

-- Push notifications as received (webhooks). Deduplicated per connector; processed by the fetch stage.
CREATE TABLE inbound_events (
  id           bigserial PRIMARY KEY,
  connector_id text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  dedupe_key   text NOT NULL,
  external_id  text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  result       text,
  UNIQUE (connector_id, dedupe_key)
);
CREATE INDEX inbound_events_pending ON inbound_events (received_at) WHERE processed_at IS NULL;

-- The anti-spam decision, stored for every closure with its reason.
CREATE TABLE survey_decisions (
  id           bigserial PRIMARY KEY,
  closure_id   bigint NOT NULL UNIQUE REFERENCES closures (id) ON DELETE CASCADE,
  connector_id text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  person_id    bigint REFERENCES people (id),
  outcome      text NOT NULL CHECK (outcome IN ('survey', 'suppressed')),
  reason       text NOT NULL,
  detail       text NOT NULL,
  decided_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_decisions_person_surveyed ON survey_decisions (person_id, decided_at) WHERE outcome = 'survey';
CREATE INDEX survey_decisions_connector_time ON survey_decisions (connector_id, decided_at);

-- A survey to send (one per 'survey' decision). Delivery columns are filled by the send stage.
-- status: scheduled → sending (claimed, email going out) → sent; or failed (permanent refusal, reason kept),
-- unknown (claimed but the outcome was lost in a crash: reported, never re-sent blindly), cancelled
-- (suppressed or reopened before sending), expired.
CREATE TABLE surveys (
  id                  bigserial PRIMARY KEY,
  decision_id         bigint NOT NULL UNIQUE REFERENCES survey_decisions (id) ON DELETE CASCADE,
  closure_id          bigint NOT NULL UNIQUE REFERENCES closures (id) ON DELETE CASCADE,
  ticket_id           bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  connector_id        text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  person_id           bigint NOT NULL REFERENCES people (id),
  scale               text NOT NULL DEFAULT 'csat' CHECK (scale IN ('csat', 'nps', 'ces')),
  locale              text,
  status              text NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'sending', 'sent', 'failed', 'unknown', 'cancelled', 'expired')),
  send_after          timestamptz NOT NULL,
  attempts            integer NOT NULL DEFAULT 0,
  claimed_at          timestamptz,
  message_id          text,
  sent_at             timestamptz,
  delivered_at        timestamptz,
  failed_reason       text,
  expires_at          timestamptz,
  reminder_status     text CHECK (reminder_status IN ('sending', 'sent', 'skipped', 'failed', 'unknown')),
  reminder_claimed_at timestamptz,
  reminder_sent_at    timestamptz,
  reminder_message_id text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX surveys_scheduled ON surveys (send_after) WHERE status = 'scheduled';
CREATE INDEX surveys_sending ON surveys (claimed_at) WHERE status = 'sending';
CREATE INDEX surveys_message ON surveys (message_id);

-- Links in an email carry a random token; only its SHA-256 is stored. The survey email and the
-- reminder each get their own; the opt-out link has its own too (it travels in mail headers).
CREATE TABLE survey_tokens (
  token_hash bytea PRIMARY KEY,
  survey_id  bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  purpose    text NOT NULL CHECK (purpose IN ('answer', 'unsubscribe')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_tokens_survey ON survey_tokens (survey_id);

-- Every answer is kept (history); exactly one per survey is active (the latest unflagged one).
CREATE TABLE responses (
  id                 bigserial PRIMARY KEY,
  survey_id          bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  score              smallint NOT NULL,
  comment            text,
  submitted_at       timestamptz NOT NULL DEFAULT now(),
  seconds_since_sent integer,
  user_agent         text,
  client_ip_hash     text,
  flagged            boolean NOT NULL DEFAULT false,
  flag_reasons       text[] NOT NULL DEFAULT '{}',
  is_active          boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX responses_one_active ON responses (survey_id) WHERE is_active;

-- Writing an answer back onto the ticket: claimed before the call out, marker checked before a retry.
CREATE TABLE writebacks (
  id           bigserial PRIMARY KEY,
  response_id  bigint NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
  survey_id    bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
  connector_id text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  marker       text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done', 'failed', 'superseded')),
  attempts     integer NOT NULL DEFAULT 0,
  claimed_at   timestamptz,
  done_at      timestamptz,
  external_ref text,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Service recovery for a detractor: one task per survey, due 24 h after the answer by default.
CREATE TABLE follow_ups (
  id                  bigserial PRIMARY KEY,
  survey_id           bigint NOT NULL UNIQUE REFERENCES surveys (id) ON DELETE CASCADE,
  response_id         bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  ticket_id           bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  connector_id        text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  marker              text NOT NULL,
  status              text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'claimed', 'open', 'closed', 'cancelled', 'failed')),
  due_at              timestamptz NOT NULL,
  -- Claims taken to create the task; above 1, look for the marker before creating.
  attempts            integer NOT NULL DEFAULT 0,
  external_id         text,
  external_key        text,
  assignment_group_id text,
  assignee_id         text,
  created_external_at timestamptz,
  overdue_at          timestamptz,
  escalated_at        timestamptz,
  closed_at           timestamptz,
  outcome             text,
  -- Each state check at or after the due time is its own job (sla_checks numbers them).
  sla_checks          integer NOT NULL DEFAULT 0,
  -- The last answer whose change of rating was noted on the task.
  noted_response_id   bigint,
  last_error          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_open_due ON follow_ups (due_at) WHERE status = 'open';
CREATE INDEX follow_ups_pending ON follow_ups (created_at) WHERE status IN ('pending', 'claimed');
CREATE INDEX writebacks_pending ON writebacks (created_at) WHERE status IN ('pending', 'claimed');

-- Addresses that must never be surveyed again (unsubscribed, bounced, complained, or added by an admin).
CREATE TABLE suppressions (
  email      text PRIMARY KEY,
  reason     text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained', 'manual')),
  source     text,
  created_at timestamptz NOT NULL DEFAULT now(),
  lifted_at  timestamptz,
  lifted_by  text
);

-- SNS notifications already handled (SNS delivers at least once).
CREATE TABLE sns_messages (
  message_id  text PRIMARY KEY,
  topic_arn   text NOT NULL,
  type        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- What SES told us about a sent email: deliveries feed response-rate analytics; bounces and
-- complaints also suppress the address.
CREATE TABLE mail_events (
  id             bigserial PRIMARY KEY,
  survey_id      bigint REFERENCES surveys (id) ON DELETE CASCADE,
  ses_message_id text,
  kind           text NOT NULL CHECK (kind IN ('delivery', 'bounce', 'complaint')),
  recipient      text NOT NULL,
  detail         text,
  occurred_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_events_survey ON mail_events (survey_id);
