-- Analytics read surveys by the day they were sent (a cohort); dashboards ask for recent ranges of a
-- long history, which this index serves without reading every survey.
CREATE INDEX surveys_sent_at ON surveys (sent_at) WHERE sent_at IS NOT NULL;
