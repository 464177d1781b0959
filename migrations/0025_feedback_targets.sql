-- Score targets (issue 15, "Acting on feedback"): per team, and one default for every team.
--
--   team_key   the team as the stats API keys it ('<connector>:<group id, else name>'), or '*' for the
--              default that every team without its own row is judged against
--   period     the period a target is judged over: week (ISO, from Monday), month or quarter (UTC)
--   csat_pct   CSAT target: share of 4s and 5s on 1–5 (top-two-box), in %
--   nps        NPS target, −100…100
--   response_rate_pct       answered / sent, in %
--   follow_up_on_time_pct   follow-up tasks closed within their connector's followUp.dueHours of the
--                           answer, among those closed or already due, in %
-- A row sets at least one of the four; the others are not judged for that team.

CREATE TABLE feedback_targets (
  team_key              text PRIMARY KEY CHECK (team_key = '*' OR position(':' IN team_key) > 1),
  period                text NOT NULL CHECK (period IN ('week', 'month', 'quarter')),
  csat_pct              numeric(5, 2) CHECK (csat_pct BETWEEN 0 AND 100),
  nps                   numeric(5, 1) CHECK (nps BETWEEN -100 AND 100),
  response_rate_pct     numeric(5, 2) CHECK (response_rate_pct BETWEEN 0 AND 100),
  follow_up_on_time_pct numeric(5, 2) CHECK (follow_up_on_time_pct BETWEEN 0 AND 100),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(csat_pct, nps, response_rate_pct, follow_up_on_time_pct) > 0)
);
