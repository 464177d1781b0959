-- Admin console sessions (src/console/session.ts). The browser holds a random token in an HttpOnly,
-- SameSite=Strict cookie; only its SHA-256 is stored. Logging out revokes the row, so a copied
-- cookie stops working at once; rows past expiry are deleted by the next login.
CREATE TABLE console_sessions (
  id_hash      bytea PRIMARY KEY,
  -- The name the admin gave at login: who did what in the audit log.
  actor        text NOT NULL,
  -- Synchronizer token carried by every form of the session.
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
