-- Signed webhook deliveries (Jira Cloud) are deduplicated on their signed content as well as on their
-- delivery identifier: the identifier header is not signed, so a captured delivery replayed with a
-- fresh identifier is still recognised as the same delivery.
ALTER TABLE inbound_events ADD COLUMN content_hash text;
CREATE UNIQUE INDEX inbound_events_content_hash ON inbound_events (connector_id, content_hash) WHERE content_hash IS NOT NULL;
