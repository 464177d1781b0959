-- survey_facts: one narrow row per survey that counts in analytics, kept exact by triggers.
--
-- A survey counts once it was sent (status 'sent', at sent_at) or its send outcome was lost (status
-- 'unknown': claimed for sending, perhaps delivered, its links work; at claimed_at). Its row carries
-- everything the dashboard, the stats API, the exports and later features group, filter and count
-- by, as plain indexable columns:
--
--   survey_id      the survey (primary key; the row goes when the survey does)
--   connector_id   its connector; ticket_id its ticket
--   team_key       '<connector>:<assignment group id, else name>' ('<connector>:' without a group),
--                  the key the stats API takes as team=; team_label the group's name (else its id,
--                  else '(no team)')
--   agent_key      '<connector>:<assignee id, else name>'; agent_label likewise ('(unassigned)')
--   category, priority   the ticket's, '' when it has none
--   scale          csat | nps | ces
--   sent_at        the time the survey counts at (see above); sent_day its UTC day
--   send_outcome   sent | unknown;  delivered  an SES delivery event was recorded
--   response_id, score, answered_at   the answer that stands (the active one), null when unanswered
--   detractor      the standing answer is at or below its connector's followUp.detractorMax
--   has_comment    the standing answer has a non-empty comment
--   follow_up_*    the survey's follow-up task: id, status, task created in the ITSM, time of the
--                  answer that triggered it, created / closed times, overdue, escalated, outcome recorded
--
-- The rows are derived from surveys, tickets, connectors, responses and follow_ups by one view
-- (survey_facts_source) and kept equal to it by statement-level triggers on those tables, in the
-- same transaction as the change: exact whatever statement (single-row or batched) changes them.
-- Rows of a survey are only rewritten when a column of the view actually changed.
--   person_id      the surveyed person: recovery follows a detractor to their next answer
--   what_mattered  the standing answer's "what mattered most" choice (see 0009), null when not asked
--   follow_up_due_at, follow_up_outcome_code   the task's due time and the outcome code parsed from
--                  its close notes (see 0009)
-- Cost: see BENCH.md ("Analytics over years").

CREATE TABLE survey_facts (
  survey_id            bigint PRIMARY KEY REFERENCES surveys (id) ON DELETE CASCADE,
  connector_id         text NOT NULL,
  ticket_id            bigint NOT NULL,
  team_key             text NOT NULL,
  team_label           text NOT NULL,
  agent_key            text NOT NULL,
  agent_label          text NOT NULL,
  category             text NOT NULL,
  priority             text NOT NULL,
  scale                text NOT NULL,
  sent_at              timestamptz NOT NULL,
  sent_day             date NOT NULL GENERATED ALWAYS AS ((sent_at AT TIME ZONE 'UTC')::date) STORED,
  send_outcome         text NOT NULL,
  delivered            boolean NOT NULL,
  response_id          bigint,
  score                smallint,
  answered_at          timestamptz,
  detractor            boolean NOT NULL,
  has_comment          boolean NOT NULL,
  follow_up_id         bigint,
  follow_up_status     text,
  follow_up_task       boolean NOT NULL,
  follow_up_answer_at  timestamptz,
  follow_up_created_at timestamptz,
  follow_up_closed_at  timestamptz,
  follow_up_overdue    boolean NOT NULL,
  follow_up_escalated  boolean NOT NULL,
  follow_up_outcome    boolean NOT NULL,
  person_id            bigint,
  what_mattered        text,
  follow_up_due_at     timestamptz,
  follow_up_outcome_code text
) WITH (fillfactor = 90);

-- The follow-up threshold of a connector for a scale (followUp.detractorMax, else the default).
CREATE FUNCTION survey_facts_detractor_max(definition jsonb, scale text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce((definition -> 'followUp' -> 'detractorMax' ->> scale)::int,
                  CASE scale WHEN 'csat' THEN 2 WHEN 'nps' THEN 6 ELSE 3 END)
$$;

-- What survey_facts must hold: one row per counted survey, computed from the source tables.
CREATE VIEW survey_facts_source AS
SELECT s.id AS survey_id,
       s.connector_id,
       s.ticket_id,
       s.connector_id || ':' || coalesce(t.assignment_group_id, t.assignment_group_name, '') AS team_key,
       coalesce(t.assignment_group_name, t.assignment_group_id, '(no team)') AS team_label,
       s.connector_id || ':' || coalesce(t.assignee_id, t.assignee_name, '') AS agent_key,
       coalesce(t.assignee_name, t.assignee_id, '(unassigned)') AS agent_label,
       coalesce(t.category, '') AS category,
       coalesce(t.priority, '') AS priority,
       s.scale,
       coalesce(s.sent_at, s.claimed_at) AS sent_at,
       s.status AS send_outcome,
       s.delivered_at IS NOT NULL AS delivered,
       r.id AS response_id,
       r.score,
       r.submitted_at AS answered_at,
       coalesce(r.score <= survey_facts_detractor_max(c.definition, s.scale), false) AS detractor,
       coalesce(r.comment <> '', false) AS has_comment,
       f.id AS follow_up_id,
       f.status AS follow_up_status,
       f.external_id IS NOT NULL AS follow_up_task,
       fr.submitted_at AS follow_up_answer_at,
       f.created_external_at AS follow_up_created_at,
       f.closed_at AS follow_up_closed_at,
       f.overdue_at IS NOT NULL AS follow_up_overdue,
       f.escalated_at IS NOT NULL AS follow_up_escalated,
       f.outcome IS NOT NULL AS follow_up_outcome,
       s.person_id,
       r.what_mattered,
       f.due_at AS follow_up_due_at,
       f.outcome_code AS follow_up_outcome_code
FROM surveys s
JOIN tickets t ON t.id = s.ticket_id
JOIN connectors c ON c.id = s.connector_id
LEFT JOIN responses r ON r.survey_id = s.id AND r.is_active
LEFT JOIN follow_ups f ON f.survey_id = s.id
LEFT JOIN responses fr ON fr.id = f.response_id
WHERE s.status = 'sent' OR (s.status = 'unknown' AND s.claimed_at IS NOT NULL);

-- Makes the facts of these surveys equal to the view: inserted, updated where a column differs, or
-- deleted when the survey no longer counts. PL/pgSQL with generic plans, so that its statements are
-- planned once per connection: planned at every call (an SQL function, or PL/pgSQL's custom plans for
-- `= ANY ($1)`) it cost about 20 times more than running them. The trigger functions below, run for
-- every statement on their tables, are kept on generic plans for the same reason.
CREATE FUNCTION survey_facts_refresh(p_survey_ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  INSERT INTO survey_facts AS x (survey_id, connector_id, ticket_id, team_key, team_label, agent_key, agent_label, category, priority, scale,
                                 sent_at, send_outcome, delivered, response_id, score, answered_at, detractor, has_comment,
                                 follow_up_id, follow_up_status, follow_up_task, follow_up_answer_at, follow_up_created_at,
                                 follow_up_closed_at, follow_up_overdue, follow_up_escalated, follow_up_outcome,
                                 person_id, what_mattered, follow_up_due_at, follow_up_outcome_code)
  SELECT * FROM survey_facts_source WHERE survey_id = ANY (p_survey_ids)
  ON CONFLICT (survey_id) DO UPDATE
    SET (connector_id, ticket_id, team_key, team_label, agent_key, agent_label, category, priority, scale,
         sent_at, send_outcome, delivered, response_id, score, answered_at, detractor, has_comment,
         follow_up_id, follow_up_status, follow_up_task, follow_up_answer_at, follow_up_created_at,
         follow_up_closed_at, follow_up_overdue, follow_up_escalated, follow_up_outcome,
         person_id, what_mattered, follow_up_due_at, follow_up_outcome_code)
      = (EXCLUDED.connector_id, EXCLUDED.ticket_id, EXCLUDED.team_key, EXCLUDED.team_label, EXCLUDED.agent_key, EXCLUDED.agent_label,
         EXCLUDED.category, EXCLUDED.priority, EXCLUDED.scale, EXCLUDED.sent_at, EXCLUDED.send_outcome, EXCLUDED.delivered,
         EXCLUDED.response_id, EXCLUDED.score, EXCLUDED.answered_at, EXCLUDED.detractor, EXCLUDED.has_comment,
         EXCLUDED.follow_up_id, EXCLUDED.follow_up_status, EXCLUDED.follow_up_task, EXCLUDED.follow_up_answer_at,
         EXCLUDED.follow_up_created_at, EXCLUDED.follow_up_closed_at, EXCLUDED.follow_up_overdue, EXCLUDED.follow_up_escalated,
         EXCLUDED.follow_up_outcome, EXCLUDED.person_id, EXCLUDED.what_mattered, EXCLUDED.follow_up_due_at, EXCLUDED.follow_up_outcome_code)
    WHERE (x.connector_id, x.ticket_id, x.team_key, x.team_label, x.agent_key, x.agent_label, x.category, x.priority, x.scale,
           x.sent_at, x.send_outcome, x.delivered, x.response_id, x.score, x.answered_at, x.detractor, x.has_comment,
           x.follow_up_id, x.follow_up_status, x.follow_up_task, x.follow_up_answer_at, x.follow_up_created_at,
           x.follow_up_closed_at, x.follow_up_overdue, x.follow_up_escalated, x.follow_up_outcome,
           x.person_id, x.what_mattered, x.follow_up_due_at, x.follow_up_outcome_code)
      IS DISTINCT FROM
          (EXCLUDED.connector_id, EXCLUDED.ticket_id, EXCLUDED.team_key, EXCLUDED.team_label, EXCLUDED.agent_key, EXCLUDED.agent_label,
           EXCLUDED.category, EXCLUDED.priority, EXCLUDED.scale, EXCLUDED.sent_at, EXCLUDED.send_outcome, EXCLUDED.delivered,
           EXCLUDED.response_id, EXCLUDED.score, EXCLUDED.answered_at, EXCLUDED.detractor, EXCLUDED.has_comment,
           EXCLUDED.follow_up_id, EXCLUDED.follow_up_status, EXCLUDED.follow_up_task, EXCLUDED.follow_up_answer_at,
           EXCLUDED.follow_up_created_at, EXCLUDED.follow_up_closed_at, EXCLUDED.follow_up_overdue, EXCLUDED.follow_up_escalated,
           EXCLUDED.follow_up_outcome, EXCLUDED.person_id, EXCLUDED.what_mattered, EXCLUDED.follow_up_due_at, EXCLUDED.follow_up_outcome_code);
  -- A survey that no longer counts (the view's WHERE); a deleted survey takes its row along (foreign key).
  DELETE FROM survey_facts x USING surveys s
  WHERE x.survey_id = ANY (p_survey_ids) AND s.id = x.survey_id
    AND NOT (s.status = 'sent' OR (s.status = 'unknown' AND s.claimed_at IS NOT NULL));
END $$;

-- Triggers: one per table and event, per statement, with the changed rows as transition tables.
-- Statements that change nothing the facts depend on (a claim, a reminder, an SLA check counter)
-- cost a scan of their own few changed rows and no more.

CREATE FUNCTION survey_facts_surveys_inserted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(n.id) INTO ids FROM new_rows n WHERE n.status IN ('sent', 'unknown');
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION survey_facts_surveys_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(n.id) INTO ids
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.status IN ('sent', 'unknown') OR o.status IN ('sent', 'unknown'))
    AND (n.status, n.sent_at, n.claimed_at, n.delivered_at, n.ticket_id, n.connector_id, n.scale, n.person_id)
        IS DISTINCT FROM (o.status, o.sent_at, o.claimed_at, o.delivered_at, o.ticket_id, o.connector_id, o.scale, o.person_id);
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER survey_facts_surveys_insert AFTER INSERT ON surveys
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_surveys_inserted();
CREATE TRIGGER survey_facts_surveys_update AFTER UPDATE ON surveys
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_surveys_updated();

CREATE FUNCTION survey_facts_responses_inserted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  -- A flagged answer (suspected bot) is stored inactive and changes nothing.
  SELECT array_agg(DISTINCT n.survey_id) INTO ids FROM new_rows n WHERE n.is_active;
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION survey_facts_responses_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT n.survey_id) INTO ids
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.is_active OR o.is_active)
    AND (n.survey_id, n.is_active, n.score, n.comment, n.submitted_at, n.what_mattered)
        IS DISTINCT FROM (o.survey_id, o.is_active, o.score, o.comment, o.submitted_at, o.what_mattered);
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION survey_facts_responses_deleted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT o.survey_id) INTO ids FROM old_rows o;
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER survey_facts_responses_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_responses_inserted();
CREATE TRIGGER survey_facts_responses_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_responses_updated();
CREATE TRIGGER survey_facts_responses_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_responses_deleted();

CREATE FUNCTION survey_facts_follow_ups_inserted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT n.survey_id) INTO ids FROM new_rows n;
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION survey_facts_follow_ups_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT n.survey_id) INTO ids
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.survey_id, n.response_id, n.status, n.external_id IS NULL, n.created_external_at, n.closed_at, n.overdue_at IS NULL, n.escalated_at IS NULL, n.outcome IS NULL, n.due_at, n.outcome_code)
        IS DISTINCT FROM (o.survey_id, o.response_id, o.status, o.external_id IS NULL, o.created_external_at, o.closed_at, o.overdue_at IS NULL, o.escalated_at IS NULL, o.outcome IS NULL, o.due_at, o.outcome_code);
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION survey_facts_follow_ups_deleted() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT o.survey_id) INTO ids FROM old_rows o;
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER survey_facts_follow_ups_insert AFTER INSERT ON follow_ups
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_follow_ups_inserted();
CREATE TRIGGER survey_facts_follow_ups_update AFTER UPDATE ON follow_ups
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_follow_ups_updated();
CREATE TRIGGER survey_facts_follow_ups_delete AFTER DELETE ON follow_ups
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_follow_ups_deleted();

-- A ticket's team, agent, category or priority changing (a reopened ticket handed to another team)
-- moves its surveys' facts along, as the stats always followed the ticket.
CREATE FUNCTION survey_facts_tickets_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE changed_tickets bigint[]; ids bigint[];
BEGIN
  SELECT array_agg(n.id) INTO changed_tickets
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.assignment_group_id, n.assignment_group_name, n.assignee_id, n.assignee_name, n.category, n.priority)
        IS DISTINCT FROM (o.assignment_group_id, o.assignment_group_name, o.assignee_id, o.assignee_name, o.category, o.priority);
  IF changed_tickets IS NULL THEN RETURN NULL; END IF;
  SELECT array_agg(x.survey_id) INTO ids FROM survey_facts x WHERE x.ticket_id = ANY (changed_tickets);
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER survey_facts_tickets_update AFTER UPDATE ON tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_tickets_updated();

-- A connector's thresholds changing re-flags its answers (as the figures always used the current ones).
CREATE FUNCTION survey_facts_connectors_updated() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE changed text[];
BEGIN
  SELECT array_agg(n.id) INTO changed
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE n.definition -> 'followUp' -> 'detractorMax' IS DISTINCT FROM o.definition -> 'followUp' -> 'detractorMax';
  IF changed IS NULL THEN RETURN NULL; END IF;
  UPDATE survey_facts x
  SET detractor = x.score <= survey_facts_detractor_max(c.definition, x.scale)
  FROM connectors c
  WHERE c.id = ANY (changed) AND x.connector_id = c.id AND x.score IS NOT NULL
    AND x.detractor IS DISTINCT FROM (x.score <= survey_facts_detractor_max(c.definition, x.scale));
  RETURN NULL;
END $$;

CREATE TRIGGER survey_facts_connectors_update AFTER UPDATE ON connectors
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION survey_facts_connectors_updated();

-- Backfill. Writers wait (SHARE locks) so that no change slips between this snapshot and the triggers.
LOCK TABLE surveys, responses, follow_ups, tickets, connectors IN SHARE MODE;
INSERT INTO survey_facts (survey_id, connector_id, ticket_id, team_key, team_label, agent_key, agent_label, category, priority, scale,
                          sent_at, send_outcome, delivered, response_id, score, answered_at, detractor, has_comment,
                          follow_up_id, follow_up_status, follow_up_task, follow_up_answer_at, follow_up_created_at,
                          follow_up_closed_at, follow_up_overdue, follow_up_escalated, follow_up_outcome,
                          person_id, what_mattered, follow_up_due_at, follow_up_outcome_code)
SELECT * FROM survey_facts_source
-- Stored in the order they count: a range of days then reads neighbouring pages, as it does for the
-- rows the pipeline adds from now on (in the order surveys are sent).
ORDER BY sent_at, survey_id;

-- Indexes after the backfill (one sort each instead of row-by-row maintenance).
-- Ranges of days (live days and the edges of rollup periods; the answers export walks it in order).
CREATE INDEX survey_facts_sent_at ON survey_facts (sent_at);
-- One team's or one agent's surveys over a range.
CREATE INDEX survey_facts_team ON survey_facts (team_key, sent_at);
CREATE INDEX survey_facts_agent ON survey_facts (agent_key, sent_at);
-- A ticket handed to another team finds its surveys' facts.
CREATE INDEX survey_facts_ticket ON survey_facts (ticket_id);
-- Follow-up figures read detractors and surveys with a task only.
CREATE INDEX survey_facts_follow_up ON survey_facts (sent_at) WHERE detractor OR follow_up_id IS NOT NULL;
-- Latest comments and themes read the most recent comments first; the latest follow-up outcomes too.
CREATE INDEX survey_facts_comments ON survey_facts (answered_at) WHERE has_comment;
CREATE INDEX survey_facts_outcomes ON survey_facts (follow_up_closed_at) WHERE follow_up_outcome;
-- Recovery: a person's surveys in order (their next answer after a follow-up).
CREATE INDEX survey_facts_person ON survey_facts (person_id, sent_at);
-- Follow-ups open right now (few at any time): "overdue now" counts them against the clock.
CREATE INDEX survey_facts_open_follow_ups ON survey_facts (follow_up_due_at) WHERE follow_up_status = 'open';
ANALYZE survey_facts;
