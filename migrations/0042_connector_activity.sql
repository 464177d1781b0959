-- Connector health for the console (src/activity/): webhooks by outcome (and why they were refused)
-- and ITSM calls by status class, counted per connector and minute. Each process adds up what it saw
-- and writes it every few seconds (one upsert, however many webhooks), so counting costs the hot
-- path nothing. Rows older than a few days are pruned by the writer.
CREATE TABLE connector_activity (
  connector_id text NOT NULL,
  minute       timestamptz NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('webhook', 'itsm')),
  -- webhook: accepted | duplicate | ignored | rejected; itsm: ok | rate_limited | server_error | auth | client_error | network
  outcome      text NOT NULL,
  reason       text NOT NULL DEFAULT '',
  count        integer NOT NULL,
  PRIMARY KEY (connector_id, minute, kind, outcome, reason)
);
CREATE INDEX connector_activity_minute ON connector_activity (minute);

-- The latest webhook deliveries per connector (what arrived, how it was answered), for "show me the
-- last delivery" and the console's test closure.
CREATE TABLE webhook_deliveries (
  id           bigserial PRIMARY KEY,
  connector_id text NOT NULL,
  received_at  timestamptz NOT NULL,
  status       integer NOT NULL,
  outcome      text NOT NULL,
  reason       text,
  -- The ticket it was about and the event, as the sender named them (INC0010001, SUP-12 issue_updated).
  summary      text,
  -- Sent by the console's "send a test closure" button.
  test         boolean NOT NULL DEFAULT false
);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (connector_id, received_at DESC);

-- A person whose data was erased on request (answers anonymised, address replaced).
ALTER TABLE people ADD COLUMN erased_at timestamptz;
