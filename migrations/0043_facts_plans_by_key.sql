-- The survey_facts triggers (0010) run on generic plans, which PL/pgSQL caches per connection for as
-- long as the connection lives. Planned while the tables were small (a fresh install; every new pool
-- connection of a young one) or never analysed (autovacuum off), the refresh read `surveys` — and the
-- ticket trigger `survey_facts` — sequentially, and kept doing so as they grew: each closure then cost
-- Postgres more with every survey ever sent. These functions only ever reach rows by key (an array of
-- survey or ticket ids, at most a batch), so their plans are made to: index lookups joined by nested
-- loops, whatever the statistics say. test/facts-trigger-plans.test.ts counts the sequential scans.
ALTER FUNCTION survey_facts_refresh(bigint[])
  SET enable_seqscan = off
  SET enable_hashjoin = off
  SET enable_mergejoin = off;
-- Its own transition tables (no index) are still scanned; only the facts lookup by ticket id must use its index.
ALTER FUNCTION survey_facts_tickets_updated()
  SET enable_seqscan = off;
