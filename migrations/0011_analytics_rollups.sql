-- Rollups of survey_facts for analytics over years of history.
--
-- rollup_team_daily: per UTC day, connector and team (team_key, team_label as in survey_facts),
--   scale, score (null = not answered) and detractor flag: the number of surveys and of those
--   delivered. Team, connector and total trends by day, week or month add these rows up.
-- rollup_monthly: the same per calendar month, once per dimension (dim = 'team', 'agent',
--   'category' or 'priority', with dim_key / dim_label the agent_key / agent_label, the category or
--   the priority; '' for 'team'), always within one team (team_key) so that a team filter still
--   reads rollups. Agent, category and priority totals over long ranges add these rows up.
--
-- Which days the rollups hold: every day before analytics_rollup_state.materialized_until (the
-- "bound") that is not in analytics_dirty_days; a month is held when all its days are. The bound is
-- kept at today − (the longest survey expiry of any connector + 2 days): surveys sent before it can
-- no longer be answered, so those days practically never change. Queries read held days and months
-- from the rollups and every other day (recent, or dirty) from survey_facts, so a figure is exact
-- at any moment (src/analytics/facts/plan.ts).
--
-- Keeping them exact: a change of a fact on a day before the bound marks that day dirty (trigger on
-- survey_facts, same transaction). analytics_rollups_advance() moves the bound forward and marks the
-- newly held days dirty; analytics_rollups_process(n) rebuilds up to n dirty days (and their
-- complete months) from survey_facts and clears them. The service runs both every
-- ROLLUP_REFRESH_SECONDS (scheduler role); `rollups rebuild` marks every day dirty and rebuilds.
-- Races: a marking transaction holds a shared advisory lock while it reads the bound, the advance
-- takes it exclusively, so a fact written with the old bound in mind is committed before the
-- advance (and rebuilt after it); a dirty mark is cleared only if nobody marked it again meanwhile
-- (version).

CREATE TABLE rollup_team_daily (
  day          date NOT NULL,
  connector_id text NOT NULL,
  team_key     text NOT NULL,
  team_label   text NOT NULL,
  scale        text NOT NULL,
  score        smallint,
  detractor    boolean NOT NULL,
  surveys      integer NOT NULL,
  delivered    integer NOT NULL
);
CREATE INDEX rollup_team_daily_day ON rollup_team_daily (day);
CREATE INDEX rollup_team_daily_team ON rollup_team_daily (team_key, day);

CREATE TABLE rollup_monthly (
  month        date NOT NULL,
  connector_id text NOT NULL,
  team_key     text NOT NULL,
  team_label   text NOT NULL,
  dim          text NOT NULL CHECK (dim IN ('team', 'agent', 'category', 'priority')),
  dim_key      text NOT NULL,
  dim_label    text NOT NULL,
  scale        text NOT NULL,
  score        smallint,
  detractor    boolean NOT NULL,
  surveys      integer NOT NULL,
  delivered    integer NOT NULL
);
CREATE INDEX rollup_monthly_dim ON rollup_monthly (dim, month);
CREATE INDEX rollup_monthly_team ON rollup_monthly (dim, team_key, month);

CREATE TABLE analytics_rollup_state (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  materialized_until date NOT NULL DEFAULT '-infinity'
);
INSERT INTO analytics_rollup_state DEFAULT VALUES;

CREATE SEQUENCE analytics_dirty_version;
CREATE TABLE analytics_dirty_days (
  day     date PRIMARY KEY,
  version bigint NOT NULL DEFAULT nextval('analytics_dirty_version')
);

-- The lock between fact writers reading the bound (shared) and the advance (exclusive).
CREATE FUNCTION analytics_rollups_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 8107250120::bigint $$;

-- The bound the rollups may advance to: days before it are past every survey's expiry (+2 days for
-- late delivery events).
CREATE FUNCTION analytics_rollups_target() RETURNS date LANGUAGE sql STABLE AS $$
  SELECT (now() AT TIME ZONE 'UTC')::date - (coalesce(max((definition -> 'survey' ->> 'expiryDays')::int), 28) + 2)
  FROM connectors
$$;

CREATE FUNCTION analytics_mark_dirty(p_days date[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_until date;
BEGIN
  -- Days this recent are after any bound an advance can reach (target ≤ today − 3): nothing to mark,
  -- and the live pipeline's statements skip the lock entirely.
  IF p_days IS NULL OR (SELECT min(d) FROM unnest(p_days) d) >= (now() AT TIME ZONE 'UTC')::date - 2 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(analytics_rollups_lock_key());
  SELECT materialized_until INTO v_until FROM analytics_rollup_state;
  INSERT INTO analytics_dirty_days (day)
  SELECT DISTINCT d FROM unnest(p_days) AS d WHERE d < v_until
  ON CONFLICT (day) DO UPDATE SET version = nextval('analytics_dirty_version');
END $$;

CREATE FUNCTION analytics_facts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty((SELECT array_agg(DISTINCT n.sent_day) FROM new_rows n));
  RETURN NULL;
END $$;

CREATE FUNCTION analytics_facts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only columns the rollups hold; follow-up progress does not touch them.
  PERFORM analytics_mark_dirty((
    SELECT array_agg(DISTINCT d)
    FROM new_rows n JOIN old_rows o ON o.survey_id = n.survey_id, LATERAL (VALUES (n.sent_day), (o.sent_day)) AS v(d)
    WHERE (n.connector_id, n.team_key, n.team_label, n.agent_key, n.agent_label, n.category, n.priority, n.scale, n.sent_day, n.delivered, n.score, n.detractor)
          IS DISTINCT FROM (o.connector_id, o.team_key, o.team_label, o.agent_key, o.agent_label, o.category, o.priority, o.scale, o.sent_day, o.delivered, o.score, o.detractor)));
  RETURN NULL;
END $$;

CREATE FUNCTION analytics_facts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty((SELECT array_agg(DISTINCT o.sent_day) FROM old_rows o));
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_facts_insert AFTER INSERT ON survey_facts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_facts_inserted();
CREATE TRIGGER analytics_facts_update AFTER UPDATE ON survey_facts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_facts_updated();
CREATE TRIGGER analytics_facts_delete AFTER DELETE ON survey_facts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_facts_deleted();

-- Moves the bound to the target and marks the days it now covers dirty (they are built by
-- analytics_rollups_process). Returns the bound.
CREATE FUNCTION analytics_rollups_advance() RETURNS date LANGUAGE plpgsql AS $$
DECLARE v_target date := analytics_rollups_target(); v_until date; v_first date;
BEGIN
  SELECT materialized_until INTO v_until FROM analytics_rollup_state;
  IF v_target <= v_until THEN RETURN v_until; END IF;
  -- Waits until every transaction that changed facts with the old bound in mind has committed.
  PERFORM pg_advisory_xact_lock(analytics_rollups_lock_key());
  SELECT materialized_until INTO v_until FROM analytics_rollup_state FOR UPDATE;
  IF v_target <= v_until THEN RETURN v_until; END IF;
  v_first := CASE WHEN v_until = '-infinity' THEN coalesce((SELECT (min(sent_at) AT TIME ZONE 'UTC')::date FROM survey_facts), v_target) ELSE v_until END;
  INSERT INTO analytics_dirty_days (day)
  SELECT d::date FROM generate_series(v_first::timestamp, (v_target - 1)::timestamp, interval '1 day') AS d
  ON CONFLICT (day) DO UPDATE SET version = nextval('analytics_dirty_version');
  UPDATE analytics_rollup_state SET materialized_until = v_target;
  RETURN v_target;
END $$;

-- Rebuilds up to p_max_days dirty days (oldest first) and the complete months they fall in, from
-- survey_facts, and clears their marks. Returns how many days it rebuilt (0: nothing was dirty, or
-- another transaction is rebuilding right now).
CREATE FUNCTION analytics_rollups_process(p_max_days integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_until date; v_days date[]; v_versions bigint[]; v_months date[];
BEGIN
  -- One rebuild at a time (two would both delete and re-insert the same days' rows): another
  -- process already at it answers 0 here.
  IF NOT pg_try_advisory_xact_lock(analytics_rollups_lock_key() + 1) THEN RETURN 0; END IF;
  SELECT materialized_until INTO v_until FROM analytics_rollup_state;
  SELECT array_agg(x.day ORDER BY x.day), array_agg(x.version ORDER BY x.day) INTO v_days, v_versions
  FROM (SELECT day, version FROM analytics_dirty_days ORDER BY day LIMIT p_max_days) AS x;
  IF v_days IS NULL THEN RETURN 0; END IF;

  DELETE FROM rollup_team_daily WHERE day = ANY (v_days);
  INSERT INTO rollup_team_daily (day, connector_id, team_key, team_label, scale, score, detractor, surveys, delivered)
  SELECT f.sent_day, f.connector_id, f.team_key, f.team_label, f.scale, f.score, f.detractor, count(*), count(*) FILTER (WHERE f.delivered)
  FROM unnest(v_days) AS d(day)
  JOIN survey_facts f ON f.sent_at >= (d.day::timestamp AT TIME ZONE 'UTC') AND f.sent_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
  GROUP BY 1, 2, 3, 4, 5, 6, 7;

  v_months := ARRAY(SELECT DISTINCT date_trunc('month', d)::date FROM unnest(v_days) AS d WHERE (date_trunc('month', d) + interval '1 month')::date <= v_until);
  IF cardinality(v_months) > 0 THEN
    DELETE FROM rollup_monthly WHERE month = ANY (v_months);
    INSERT INTO rollup_monthly (month, connector_id, team_key, team_label, dim, dim_key, dim_label, scale, score, detractor, surveys, delivered)
    SELECT g.month, g.connector_id, g.team_key, g.team_label, g.dim,
           CASE g.dim WHEN 'agent' THEN g.agent_key WHEN 'category' THEN g.category WHEN 'priority' THEN g.priority ELSE '' END,
           CASE g.dim WHEN 'agent' THEN g.agent_label
                      WHEN 'category' THEN CASE g.category WHEN '' THEN '(none)' ELSE g.category END
                      WHEN 'priority' THEN CASE g.priority WHEN '' THEN '(none)' ELSE g.priority END
                      ELSE '' END,
           g.scale, g.score, g.detractor, g.surveys, g.delivered
    FROM (
      SELECT m.month, f.connector_id, f.team_key, f.team_label, f.agent_key, f.agent_label, f.category, f.priority, f.scale, f.score, f.detractor,
             CASE WHEN grouping(f.agent_key) = 0 THEN 'agent' WHEN grouping(f.category) = 0 THEN 'category' WHEN grouping(f.priority) = 0 THEN 'priority' ELSE 'team' END AS dim,
             count(*)::int AS surveys, (count(*) FILTER (WHERE f.delivered))::int AS delivered
      FROM unnest(v_months) AS m(month)
      JOIN survey_facts f ON f.sent_at >= (m.month::timestamp AT TIME ZONE 'UTC') AND f.sent_at < ((m.month + interval '1 month') AT TIME ZONE 'UTC')
      GROUP BY m.month, f.connector_id, f.team_key, f.team_label, f.scale, f.score, f.detractor,
               GROUPING SETS ((), (f.agent_key, f.agent_label), (f.category), (f.priority))
    ) AS g;
  END IF;

  DELETE FROM analytics_dirty_days x USING unnest(v_days, v_versions) AS p(day, version)
  WHERE x.day = p.day AND x.version = p.version;
  RETURN cardinality(v_days);
END $$;

-- Marks every day from p_from (inclusive) up to the bound dirty, so that the next processing
-- rebuilds them (`rollups rebuild`).
CREATE FUNCTION analytics_rollups_invalidate(p_from date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_until date; v_first date; v_count integer;
BEGIN
  SELECT materialized_until INTO v_until FROM analytics_rollup_state;
  IF v_until = '-infinity' THEN RETURN 0; END IF;
  v_first := greatest(p_from, least(coalesce((SELECT min(day) FROM rollup_team_daily), v_until),
                                    coalesce((SELECT min(month) FROM rollup_monthly), v_until),
                                    coalesce((SELECT (min(sent_at) AT TIME ZONE 'UTC')::date FROM survey_facts), v_until)));
  INSERT INTO analytics_dirty_days (day)
  SELECT d::date FROM generate_series(v_first::timestamp, (v_until - 1)::timestamp, interval '1 day') AS d
  ON CONFLICT (day) DO UPDATE SET version = nextval('analytics_dirty_version');
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

-- Build what the history already holds.
SELECT analytics_rollups_advance();
SELECT analytics_rollups_process(2147483647);
ANALYZE rollup_team_daily;
ANALYZE rollup_monthly;
