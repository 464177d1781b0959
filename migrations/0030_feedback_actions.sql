-- Acting on feedback (issue 15): the "what mattered most" answer, follow-up outcome codes, and what
-- analytics need of them in survey_facts; the digest ledger.
--
-- responses.what_mattered   the optional second question of the survey page (never the email click):
--                           responsiveness | reliability | assurance | empathy | other, or null. Kept on
--                           every answer like the rating (history).
-- follow_ups.outcome_code   the code an agent put into the close notes of the follow-up task (parsed
--                           against the connector's followUp.outcomeCodes when the task is read closed);
--                           the free text stays in follow_ups.outcome.
--
-- survey_facts gains four columns (the view, the refresh function and the triggers that must see them
-- are replaced below; every other column and rule is unchanged):
--   person_id                the surveyed person (people.id): recovery follows a detractor to their next answer
--   what_mattered            of the standing answer
--   follow_up_due_at         the task's due time (answer + the connector's followUp.dueHours at the time)
--   follow_up_outcome_code   the parsed outcome code

ALTER TABLE responses ADD COLUMN what_mattered text
  CHECK (what_mattered IN ('responsiveness', 'reliability', 'assurance', 'empathy', 'other'));
ALTER TABLE follow_ups ADD COLUMN outcome_code text CHECK (outcome_code ~ '^[a-z][a-z0-9_]{0,39}$');

ALTER TABLE survey_facts
  ADD COLUMN person_id bigint,
  ADD COLUMN what_mattered text,
  ADD COLUMN follow_up_due_at timestamptz,
  ADD COLUMN follow_up_outcome_code text;

CREATE OR REPLACE VIEW survey_facts_source AS
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

CREATE OR REPLACE FUNCTION survey_facts_refresh(p_survey_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  WITH src AS (
    SELECT * FROM survey_facts_source WHERE survey_id = ANY (p_survey_ids)
  ), upserted AS (
    INSERT INTO survey_facts AS x (survey_id, connector_id, ticket_id, team_key, team_label, agent_key, agent_label, category, priority, scale,
                                   sent_at, send_outcome, delivered, response_id, score, answered_at, detractor, has_comment,
                                   follow_up_id, follow_up_status, follow_up_task, follow_up_answer_at, follow_up_created_at,
                                   follow_up_closed_at, follow_up_overdue, follow_up_escalated, follow_up_outcome,
                                   person_id, what_mattered, follow_up_due_at, follow_up_outcome_code)
    SELECT * FROM src
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
             EXCLUDED.follow_up_outcome, EXCLUDED.person_id, EXCLUDED.what_mattered, EXCLUDED.follow_up_due_at, EXCLUDED.follow_up_outcome_code)
    RETURNING 1
  )
  DELETE FROM survey_facts x
  WHERE x.survey_id = ANY (p_survey_ids)
    AND NOT EXISTS (SELECT 1 FROM src WHERE src.survey_id = x.survey_id);
$$;

-- The triggers whose "did anything the facts hold change?" test must see the new source columns.
CREATE OR REPLACE FUNCTION survey_facts_surveys_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION survey_facts_responses_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION survey_facts_follow_ups_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT n.survey_id) INTO ids
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.survey_id, n.response_id, n.status, n.external_id IS NULL, n.created_external_at, n.closed_at, n.overdue_at IS NULL, n.escalated_at IS NULL, n.outcome IS NULL, n.due_at, n.outcome_code)
        IS DISTINCT FROM (o.survey_id, o.response_id, o.status, o.external_id IS NULL, o.created_external_at, o.closed_at, o.overdue_at IS NULL, o.escalated_at IS NULL, o.outcome IS NULL, o.due_at, o.outcome_code);
  IF ids IS NOT NULL THEN PERFORM survey_facts_refresh(ids); END IF;
  RETURN NULL;
END $$;

-- Backfill the new columns (writers wait, as in 0010).
LOCK TABLE surveys, responses, follow_ups, tickets, connectors IN SHARE MODE;
UPDATE survey_facts x
SET person_id = s.person_id, what_mattered = s.what_mattered, follow_up_due_at = s.follow_up_due_at, follow_up_outcome_code = s.follow_up_outcome_code
FROM survey_facts_source s
WHERE s.survey_id = x.survey_id;

-- Recovery: a person's surveys in order (their next answer after a follow-up).
CREATE INDEX survey_facts_person ON survey_facts (person_id, sent_at);

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
