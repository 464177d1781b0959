-- Every change made through the admin console or the admin API (src/audit/): who (the name given at
-- console login, or the X-Admin-Actor label of an API call), what, and the state before and after with
-- secrets masked. Append-only: nothing in the product updates or deletes these rows, except that
-- erasing a person's data masks their address in the entries about them.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('console', 'api')),
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   text,
  before      jsonb,
  after       jsonb,
  detail      text
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
