-- The team digest's ledger (issue 15). The "what mattered" answer and follow-up outcome codes it and
-- the dashboard read are in 0009 and in survey_facts (0010).

-- The weekly digest per team: one row per team and period, claimed before the email goes out and
-- never sent twice (the unique key; the claim 'pending' → 'sending'; a claim whose outcome was lost
-- becomes 'unknown' and is not re-sent, as for surveys).
CREATE TABLE digests (
  id            bigserial PRIMARY KEY,
  connector_id  text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  team_key      text NOT NULL,
  team_label    text NOT NULL,
  -- The Monday the week starts on, in the digest's time zone; the week is [period_from, period_to).
  period_start  date NOT NULL,
  period_from   timestamptz NOT NULL,
  period_to     timestamptz NOT NULL,
  time_zone     text NOT NULL,
  locale        text NOT NULL,
  recipient     text,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
  attempts      integer NOT NULL DEFAULT 0,
  claimed_at    timestamptz,
  sent_at       timestamptz,
  message_id    text,
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team_key, period_start)
);
CREATE INDEX digests_pending ON digests (created_at) WHERE status IN ('pending', 'sending');
CREATE INDEX digests_period ON digests (period_start, connector_id);
