-- Lookups by survey on the answer → write-back path: the write-back claim reads the survey's last
-- answer already written ("changed from 2 to 4"), and an answer retires the survey's active one.
-- Without these both scan their whole table, once per answer.
CREATE INDEX writebacks_survey_done ON writebacks (survey_id, done_at DESC) WHERE status = 'done';
CREATE INDEX responses_survey ON responses (survey_id);
