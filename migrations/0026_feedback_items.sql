-- Feedback from outside the surveys (issue 15, "Non-survey feedback"): focus groups, interviews,
-- hallway comments, other tools. It joins theme analysis and initiatives, marked with its source, and
-- never reaches survey_facts or any CSAT / NPS / CES figure (an item's score is kept as given, with
-- its scale, for reading only).
--
--   source_kind  focus_group | interview | hallway | other_tool | other;  source  free text ("Q3 focus group, Berlin")
--   item_date    the day the feedback was given (UTC)
--   team_key     as the stats API keys teams, or null when the item is not about one team; team_label its name
--   category     '' when none
--   score, score_scale, score_min, score_max   optional: the score and the scale it was given on
--                (csat 1–5, nps 0–10, ces 1–7, or a range min–max)
--   dedupe_key   'ext:<kind>:<source>:<external id>' when the row carries the source's own id, else
--                'hash:<sha-256 of the item's content>': importing the same file again changes nothing,
--                and a corrected row with the same external id updates its item

CREATE TABLE feedback_items (
  id           bigserial PRIMARY KEY,
  source_kind  text NOT NULL CHECK (source_kind IN ('focus_group', 'interview', 'hallway', 'other_tool', 'other')),
  source       text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  item_date    date NOT NULL,
  team_key     text CHECK (team_key IS NULL OR position(':' IN team_key) > 1),
  team_label   text,
  category     text NOT NULL DEFAULT '',
  score        numeric,
  score_scale  text CHECK (score_scale IN ('csat', 'nps', 'ces', 'range')),
  score_min    numeric,
  score_max    numeric,
  text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
  external_id  text,
  dedupe_key   text NOT NULL UNIQUE,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((score IS NULL) = (score_scale IS NULL))
);
CREATE INDEX feedback_items_date ON feedback_items (item_date);
CREATE INDEX feedback_items_team ON feedback_items (team_key, item_date);
