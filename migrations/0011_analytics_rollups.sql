-- Rollups of survey_facts for analytics over years of history.
--
-- rollup_team_daily: per UTC day, connector and team (team_key, team_label as in survey_facts),
--   scale, score (null = not answered) and detractor flag: the number of surveys and of those
--   delivered, and among the answered ones the follow-up record: tasks created (fu_tasks), created
--   within 15 minutes of the answer (fu_quick), closed within 24 hours (fu_closed_24h), closed
--   within its own due time (fu_closed_due: the connector's followUp.dueHours), open, overdue,
--   escalated, with an outcome. ("Overdue now" depends on the clock, not on a row: it is counted from
--   survey_facts' few open follow-ups.) Team, connector and total trends by day, week or month,
--   and follow-up figures, add these rows up.
-- rollup_monthly: the same per calendar month, once per dimension (dim = 'team', 'agent',
--   'category' or 'priority', with dim_key / dim_label the agent_key / agent_label, the category or
--   the priority; '' for 'team'), always within one team (team_key) so that a team filter still
--   reads rollups. Agent, category and priority totals over long ranges add these rows up.
-- rollup_weekly: the same as rollup_monthly per ISO week (starting on Monday): weekly trends, and
--   the weeks at the edges of a range that does not start or end with a month.
--
-- Which days the rollups hold: every day before analytics_rollup_state.materialized_until (the
-- "bound") that is not in analytics_dirty_days; a week or a month is held when all its days are. The bound is
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
  delivered    integer NOT NULL,
  fu_tasks      integer NOT NULL,
  fu_quick      integer NOT NULL,
  fu_closed_24h integer NOT NULL,
  fu_closed_due integer NOT NULL,
  fu_open       integer NOT NULL,
  fu_overdue    integer NOT NULL,
  fu_escalated  integer NOT NULL,
  fu_outcomes   integer NOT NULL
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
  delivered    integer NOT NULL,
  fu_tasks      integer NOT NULL,
  fu_quick      integer NOT NULL,
  fu_closed_24h integer NOT NULL,
  fu_closed_due integer NOT NULL,
  fu_open       integer NOT NULL,
  fu_overdue    integer NOT NULL,
  fu_escalated  integer NOT NULL,
  fu_outcomes   integer NOT NULL
);
CREATE INDEX rollup_monthly_dim ON rollup_monthly (dim, month);
CREATE INDEX rollup_monthly_team ON rollup_monthly (dim, team_key, month);

CREATE TABLE rollup_weekly (LIKE rollup_monthly INCLUDING CONSTRAINTS);
ALTER TABLE rollup_weekly RENAME COLUMN month TO week;
CREATE INDEX rollup_weekly_dim ON rollup_weekly (dim, week);
CREATE INDEX rollup_weekly_team ON rollup_weekly (dim, team_key, week);

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

CREATE FUNCTION analytics_mark_dirty(p_days date[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
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

CREATE FUNCTION analytics_facts_inserted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  PERFORM analytics_mark_dirty((SELECT array_agg(DISTINCT n.sent_day) FROM new_rows n));
  RETURN NULL;
END $$;

CREATE FUNCTION analytics_facts_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  -- Only changes to what the rollups hold.
  PERFORM analytics_mark_dirty((
    SELECT array_agg(DISTINCT d)
    FROM new_rows n JOIN old_rows o ON o.survey_id = n.survey_id, LATERAL (VALUES (n.sent_day), (o.sent_day)) AS v(d)
    WHERE (n.connector_id, n.team_key, n.team_label, n.agent_key, n.agent_label, n.category, n.priority, n.scale, n.sent_day, n.delivered, n.score, n.detractor,
           n.response_id IS NULL, n.follow_up_task, n.follow_up_status, n.follow_up_created_at, n.follow_up_answer_at, n.follow_up_closed_at,
           n.follow_up_overdue, n.follow_up_escalated, n.follow_up_outcome, n.follow_up_due_at)
          IS DISTINCT FROM (o.connector_id, o.team_key, o.team_label, o.agent_key, o.agent_label, o.category, o.priority, o.scale, o.sent_day, o.delivered, o.score, o.detractor,
           o.response_id IS NULL, o.follow_up_task, o.follow_up_status, o.follow_up_created_at, o.follow_up_answer_at, o.follow_up_closed_at,
           o.follow_up_overdue, o.follow_up_escalated, o.follow_up_outcome, o.follow_up_due_at)));
  RETURN NULL;
END $$;

CREATE FUNCTION analytics_facts_deleted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
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

-- The rows of rollup_weekly / rollup_monthly for periods starting on these days and lasting p_length,
-- from survey_facts: one scan, grouped per team and once more per agent, category and priority.
CREATE FUNCTION analytics_rollup_periods(p_starts date[], p_length interval)
RETURNS TABLE (start date, connector_id text, team_key text, team_label text, dim text, dim_key text, dim_label text, scale text, score smallint,
               detractor boolean, surveys integer, delivered integer, fu_tasks integer, fu_quick integer, fu_closed_24h integer, fu_closed_due integer, fu_open integer,
               fu_overdue integer, fu_escalated integer, fu_outcomes integer)
LANGUAGE sql STABLE AS $$
  SELECT g.month, g.connector_id, g.team_key, g.team_label, g.dim,
         CASE g.dim WHEN 'agent' THEN g.agent_key WHEN 'category' THEN g.category WHEN 'priority' THEN g.priority ELSE '' END,
         CASE g.dim WHEN 'agent' THEN g.agent_label
                    WHEN 'category' THEN CASE g.category WHEN '' THEN '(none)' ELSE g.category END
                    WHEN 'priority' THEN CASE g.priority WHEN '' THEN '(none)' ELSE g.priority END
                    ELSE '' END,
         g.scale, g.score, g.detractor, g.surveys, g.delivered,
         g.fu_tasks, g.fu_quick, g.fu_closed_24h, g.fu_closed_due, g.fu_open, g.fu_overdue, g.fu_escalated, g.fu_outcomes
  FROM (
    SELECT m.month, f.connector_id, f.team_key, f.team_label, f.agent_key, f.agent_label, f.category, f.priority, f.scale, f.score, f.detractor,
           CASE WHEN grouping(f.agent_key) = 0 THEN 'agent' WHEN grouping(f.category) = 0 THEN 'category' WHEN grouping(f.priority) = 0 THEN 'priority' ELSE 'team' END AS dim,
           count(*)::int AS surveys, (count(*) FILTER (WHERE f.delivered))::int AS delivered,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_task))::int AS fu_tasks,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_created_at <= f.follow_up_answer_at + interval '15 minutes'))::int AS fu_quick,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_answer_at + interval '24 hours'))::int AS fu_closed_24h,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_due_at))::int AS fu_closed_due,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'open'))::int AS fu_open,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_overdue))::int AS fu_overdue,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_escalated))::int AS fu_escalated,
           (count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_outcome))::int AS fu_outcomes
    FROM unnest(p_starts) AS m(month)
    JOIN survey_facts f ON f.sent_at >= (m.month::timestamp AT TIME ZONE 'UTC') AND f.sent_at < ((m.month + p_length) AT TIME ZONE 'UTC')
    GROUP BY m.month, f.connector_id, f.team_key, f.team_label, f.scale, f.score, f.detractor,
             GROUPING SETS ((), (f.agent_key, f.agent_label), (f.category), (f.priority))
  ) AS g
$$;

-- Rebuilds up to p_max_days dirty days (oldest first) and the complete weeks and months they fall in, from
-- survey_facts, and clears their marks. Returns how many days it rebuilt (0: nothing was dirty, or
-- another transaction is rebuilding right now).
CREATE FUNCTION analytics_rollups_process(p_max_days integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_until date; v_days date[]; v_versions bigint[]; v_weeks date[]; v_months date[];
BEGIN
  -- One rebuild at a time (two would both delete and re-insert the same days' rows): another
  -- process already at it answers 0 here.
  IF NOT pg_try_advisory_xact_lock(analytics_rollups_lock_key() + 1) THEN RETURN 0; END IF;
  SELECT materialized_until INTO v_until FROM analytics_rollup_state;
  SELECT array_agg(x.day ORDER BY x.day), array_agg(x.version ORDER BY x.day) INTO v_days, v_versions
  FROM (SELECT day, version FROM analytics_dirty_days ORDER BY day LIMIT p_max_days) AS x;
  IF v_days IS NULL THEN RETURN 0; END IF;

  DELETE FROM rollup_team_daily WHERE day = ANY (v_days);
  INSERT INTO rollup_team_daily (day, connector_id, team_key, team_label, scale, score, detractor, surveys, delivered,
                                 fu_tasks, fu_quick, fu_closed_24h, fu_closed_due, fu_open, fu_overdue, fu_escalated, fu_outcomes)
  SELECT f.sent_day, f.connector_id, f.team_key, f.team_label, f.scale, f.score, f.detractor, count(*), count(*) FILTER (WHERE f.delivered),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_task),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_created_at <= f.follow_up_answer_at + interval '15 minutes'),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_answer_at + interval '24 hours'),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_due_at),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_status = 'open'),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_overdue),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_escalated),
         count(*) FILTER (WHERE f.response_id IS NOT NULL AND f.follow_up_outcome)
  FROM unnest(v_days) AS d(day)
  JOIN survey_facts f ON f.sent_at >= (d.day::timestamp AT TIME ZONE 'UTC') AND f.sent_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
  GROUP BY 1, 2, 3, 4, 5, 6, 7;

  -- Complete weeks and months these days fall in, rebuilt whole from survey_facts.
  v_weeks := ARRAY(SELECT DISTINCT date_trunc('week', d)::date FROM unnest(v_days) AS d WHERE (date_trunc('week', d) + interval '1 week')::date <= v_until);
  v_months := ARRAY(SELECT DISTINCT date_trunc('month', d)::date FROM unnest(v_days) AS d WHERE (date_trunc('month', d) + interval '1 month')::date <= v_until);
  IF cardinality(v_weeks) > 0 THEN
    DELETE FROM rollup_weekly WHERE week = ANY (v_weeks);
    INSERT INTO rollup_weekly (week, connector_id, team_key, team_label, dim, dim_key, dim_label, scale, score, detractor, surveys, delivered,
                               fu_tasks, fu_quick, fu_closed_24h, fu_closed_due, fu_open, fu_overdue, fu_escalated, fu_outcomes)
    SELECT * FROM analytics_rollup_periods(v_weeks, interval '1 week');
  END IF;
  IF cardinality(v_months) > 0 THEN
    DELETE FROM rollup_monthly WHERE month = ANY (v_months);
    INSERT INTO rollup_monthly (month, connector_id, team_key, team_label, dim, dim_key, dim_label, scale, score, detractor, surveys, delivered,
                                fu_tasks, fu_quick, fu_closed_24h, fu_closed_due, fu_open, fu_overdue, fu_escalated, fu_outcomes)
    SELECT * FROM analytics_rollup_periods(v_months, interval '1 month');
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
                                    coalesce((SELECT min(week) FROM rollup_weekly), v_until),
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
ANALYZE rollup_weekly;
