-- OAuth 2.0 token state shared by every process, for connectors whose provider rotates refresh tokens
-- (Jira Cloud 3LO apps: each refresh returns a new refresh token and retires the old one). Access and
-- refresh tokens are AES-256-GCM envelopes (src/lib/secret-box.ts) bound to the connector id; a refresh
-- happens under a transaction-scoped advisory lock on 'oauth:' || connector_id, so one process refreshes
-- and the others read its result.
CREATE TABLE oauth_tokens (
  connector_id             text PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
  -- The current access token (null after a failed refresh) and when it expires.
  access_token_ciphertext  text,
  expires_at               timestamptz,
  issued_at                timestamptz,
  -- The current (latest rotated) refresh token.
  refresh_token_ciphertext text NOT NULL,
  -- sha256 (hex) of the refresh token in the connector definition this state grew from: an admin who
  -- applies a new refresh token (re-authorised) changes it, and the new token wins over the stored one.
  seed_hash                text NOT NULL,
  -- The token endpoint refused the grant for good (invalid_grant …): no further refresh is attempted
  -- until the refresh token (seed_hash) or the client credentials (grant_error_client, their sha256) change.
  grant_error              text,
  grant_error_client       text,
  -- Transient token-endpoint failures (429, 5xx, network): no process retries before this.
  retry_not_before         timestamptz,
  failures                 integer NOT NULL DEFAULT 0,
  updated_at               timestamptz NOT NULL DEFAULT now()
);
