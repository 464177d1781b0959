-- Two answers the pipeline now keeps (issue 15), before the analytics facts that read them (0010):
--
-- responses.what_mattered   the optional second question of the survey page (never the email click):
--                           responsiveness | reliability | assurance | empathy | other, or null. Kept on
--                           every answer like the rating (history).
-- follow_ups.outcome_code   the code an agent put into the close notes of the follow-up task (parsed
--                           against the connector's followUp.outcomeCodes when the task is read closed);
--                           the free text stays in follow_ups.outcome.

ALTER TABLE responses ADD COLUMN what_mattered text
  CHECK (what_mattered IN ('responsiveness', 'reliability', 'assurance', 'empathy', 'other'));
ALTER TABLE follow_ups ADD COLUMN outcome_code text CHECK (outcome_code ~ '^[a-z][a-z0-9_]{0,39}$');
