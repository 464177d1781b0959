-- Improvement initiatives (issue 15): what a team (or everyone, "systemic") changes because of what
-- customers said, tracked proposed → in_progress → done, with its effect measured before vs after.
--
--   team_key      the team (as the stats API keys it), or null for a systemic initiative (all teams)
--   status        proposed → in_progress → done (forward only); proposed_at / in_progress_at / done_at
--                 record when each state was reached, initiative_status_changes every change
--   start_date, end_date   when the work started and ended (the effect compares the weeks before the
--                 start with the weeks after the end); effect_weeks how many weeks each side (default 6)
--   themes        terms as the themes API reports them (lower case); categories as the stats API keys them
--   notes         internal; public_summary: what was changed, in words for customers ("you said, we did")

CREATE TABLE initiatives (
  id             bigserial PRIMARY KEY,
  title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  owner          text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  team_key       text CHECK (team_key IS NULL OR position(':' IN team_key) > 1),
  team_label     text,
  status         text NOT NULL CHECK (status IN ('proposed', 'in_progress', 'done')),
  start_date     date,
  end_date       date,
  themes         text[] NOT NULL DEFAULT '{}',
  categories     text[] NOT NULL DEFAULT '{}',
  notes          text NOT NULL DEFAULT '',
  public_summary text NOT NULL DEFAULT '',
  effect_weeks   integer NOT NULL DEFAULT 6 CHECK (effect_weeks BETWEEN 1 AND 52),
  proposed_at    timestamptz,
  in_progress_at timestamptz,
  done_at        timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
  CHECK (status = 'proposed' OR start_date IS NOT NULL),
  CHECK (status <> 'done' OR end_date IS NOT NULL)
);
CREATE INDEX initiatives_status ON initiatives (status, end_date);

CREATE TABLE initiative_status_changes (
  id            bigserial PRIMARY KEY,
  initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
  from_status   text,
  to_status     text NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_status_changes_initiative ON initiative_status_changes (initiative_id, id);

-- Feedback items an initiative cites (non-survey feedback that motivated it).
CREATE TABLE initiative_feedback_items (
  initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
  item_id       bigint NOT NULL REFERENCES feedback_items (id) ON DELETE CASCADE,
  PRIMARY KEY (initiative_id, item_id)
);

-- The initiative mirrored as an ITSM record (ServiceNow problem or a configured table, Jira issue):
-- created once. Claimed before the call (a lease, as write-backs and follow-up tasks are); the marker
-- travels in the record so that a retry after an interrupted attempt finds it instead of creating
-- another.
CREATE TABLE initiative_mirrors (
  id            bigserial PRIMARY KEY,
  initiative_id bigint NOT NULL UNIQUE REFERENCES initiatives (id) ON DELETE CASCADE,
  connector_id  text NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  marker        text NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done')),
  attempts      integer NOT NULL DEFAULT 0,
  claimed_at    timestamptz,
  external_id   text,
  external_key  text,
  url           text,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  done_at       timestamptz
);
