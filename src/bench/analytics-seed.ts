import type pg from 'pg';

/**
 * A large service desk's history, generated in Postgres (generate_series, one statement per table):
 * `surveys` sent over `years` years (ids growing with time, as in a real history), 40 teams of very different sizes (15 agents each, 600 in all),
 * each team with its own handful of categories, two connectors (CSAT and NPS), 30 % answered, 40 %
 * of answers with a comment, a follow-up task for every detractor (closed, most with an outcome),
 * 95 % delivered. Deterministic (hash of the row number), so runs are comparable.
 *
 * Rows get explicit ids 1..N (ticket = closure = decision = survey = response id); sequences are
 * moved past them afterwards. Written into the schema as it is before migrations/0010, so that the
 * facts and rollups are then built by the migrations themselves, as an upgrade would.
 */
export interface SeedOptions {
  surveys: number;
  years: number;
  connectors: { csat: string; nps: string };
}

export const TEAMS = 40;
export const AGENTS_PER_TEAM = 15;
const PEOPLE = 150_000;

const PHRASES = [
  'VPN keeps dropping', 'password reset took too long', 'great help, thank you', 'printer still broken', 'fast and friendly',
  'nobody called me back', 'laptop replaced quickly', 'waited three days', 'the agent was very patient', 'email not syncing on my phone',
  'access request approved in minutes', 'had to explain it twice', 'teams meeting audio fixed', 'new starter account was late', 'excellent service as always',
  'software install failed again', 'wifi in the office is slow', 'ticket closed without asking me', 'clear instructions, solved', 'monitor arrived broken',
];

export async function seedHistory(client: pg.Client, o: SeedOptions, step: (what: string, ms: number) => void): Promise<void> {
  const timed = async (what: string, text: string, values: unknown[] = []) => {
    const started = Date.now();
    await client.query(text, values);
    step(what, Date.now() - started);
  };
  // Deterministic uniform [0, 1) per row and purpose.
  await client.query(`CREATE FUNCTION pg_temp.r(g bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$ SELECT (hashint8(g * 64 + salt) & 2147483647)::float8 / 2147483648 $$`);
  // Foreign keys are checked by triggers: skipped for the bulk load when allowed (superuser), as pg_restore does.
  await client.query(`SET session_replication_role = replica`).catch(() => step('(foreign keys checked row by row: not a superuser)', 0));
  await client.query(`SET work_mem = '64MB'`);

  await timed(
    'plan',
    `CREATE TEMP TABLE plan AS
     SELECT g,
            t AS team,
            floor(pg_temp.r(g, 2) * ${AGENTS_PER_TEAM})::int AS agent,
            (t * 3 + floor(pg_temp.r(g, 3) * 6)::int) % 40 AS category,
            (ARRAY['1','2','3','3','3','4','4'])[1 + floor(pg_temp.r(g, 4) * 7)::int] AS priority,
            CASE WHEN t < 28 THEN 'csat' ELSE 'nps' END AS scale,
            -- Ids grow with time, as they do in a real history; more surveys recently than years ago.
            now() - (${o.years} * 365.25 * interval '1 day') * power(1 - (g - 0.5) / ${o.surveys}::float8, 1.15) - interval '1 hour' * pg_temp.r(g, 5) AS sent_at,
            pg_temp.r(g, 6) < 0.95 AS delivered,
            pg_temp.r(g, 7) < 0.30 AS answered,
            -- Each team has its own level of satisfaction.
            pg_temp.r(g, 8) < 0.55 + 0.4 * ((t * 7) % 10) / 10.0 AS happy,
            pg_temp.r(g, 9) AS r9,
            pg_temp.r(g, 10) < 0.4 AS commented,
            floor(pg_temp.r(g, 11) * ${PHRASES.length})::int AS phrase,
            1 + (g % ${PEOPLE}) AS person
     FROM (SELECT g, floor(${TEAMS} * power(pg_temp.r(g, 1), 1.6))::int AS t FROM generate_series(1, $1::bigint) AS g) AS x`,
    [o.surveys],
  );
  await client.query(`ALTER TABLE plan ADD COLUMN score int, ADD COLUMN connector text`);
  await timed(
    'plan scores',
    `UPDATE plan SET connector = CASE WHEN scale = 'csat' THEN $1 ELSE $2 END,
                     score = CASE WHEN NOT answered THEN NULL
                                  WHEN scale = 'csat' THEN CASE WHEN happy THEN 4 + floor(r9 * 2)::int ELSE 1 + floor(r9 * 3)::int END
                                  ELSE CASE WHEN happy THEN 8 + floor(r9 * 3)::int ELSE floor(r9 * 8)::int END END`,
    [o.connectors.csat, o.connectors.nps],
  );
  await timed('people', `INSERT INTO people (id, email, email_domain, display_name) SELECT g, 'person' || g || '@bench.example', 'bench.example', 'Person ' || g FROM generate_series(1, ${PEOPLE}) AS g`);
  await timed(
    'tickets',
    `INSERT INTO tickets (id, connector_id, external_id, external_key, title, category, priority, state, assignment_group_id, assignment_group_name, assignee_id, assignee_name,
                          requester_person_id, opened_at, source_updated_at, created_at, updated_at)
     SELECT g, connector, 'sys' || g, 'INC' || lpad(g::text, 8, '0'), 'Ticket ' || g, 'Category ' || category, priority, 'Closed',
            'grp' || team, 'Team ' || lpad(team::text, 2, '0'), 'usr' || team || '-' || agent, 'Agent ' || team || '-' || agent,
            person, sent_at - interval '1 day', sent_at - interval '1 minute', sent_at - interval '1 minute', sent_at - interval '1 minute'
     FROM plan`,
  );
  await timed(
    'closures',
    `INSERT INTO closures (id, ticket_id, closed_at, close_code, source, status, received_at)
     SELECT g, g, sent_at - interval '1 minute', 'Solved', 'poll', 'decided', sent_at - interval '1 minute' FROM plan`,
  );
  await timed(
    'decisions',
    `INSERT INTO survey_decisions (id, closure_id, connector_id, person_id, outcome, reason, detail, decided_at)
     SELECT g, g, connector, person, 'survey', 'eligible', 'bench history', sent_at - interval '1 minute' FROM plan`,
  );
  await timed(
    'surveys',
    `INSERT INTO surveys (id, decision_id, closure_id, ticket_id, connector_id, person_id, scale, status, send_after, attempts, claimed_at, sent_at, delivered_at,
                          message_id, expires_at, reminder_status, created_at, updated_at)
     SELECT g, g, g, g, connector, person, scale, 'sent', sent_at, 1, sent_at, sent_at, CASE WHEN delivered THEN sent_at + interval '5 seconds' END,
            'bench-' || g, sent_at + interval '28 days', 'skipped', sent_at - interval '1 minute', sent_at
     FROM plan`,
  );
  await timed(
    'responses',
    `INSERT INTO responses (id, survey_id, score, comment, submitted_at, seconds_since_sent, is_active)
     SELECT g, g, score, CASE WHEN commented THEN (ARRAY[${PHRASES.map((p) => `'${p.replace(/'/g, "''")}'`).join(',')}])[1 + phrase] END,
            least(now(), sent_at + interval '1 hour' * (1 + r9 * 30)), (3600 * (1 + r9 * 30))::int, true
     FROM plan WHERE answered`,
  );
  await timed(
    'follow-ups',
    `INSERT INTO follow_ups (survey_id, response_id, ticket_id, connector_id, marker, status, due_at, attempts, external_id, external_key, assignment_group_id,
                             created_external_at, closed_at, outcome, overdue_at, escalated_at, noted_response_id, created_at, updated_at)
     SELECT g, g, g, connector, 'bench-f' || g, 'closed', a + interval '24 hours', 1, 'task' || g, 'TASK' || g, 'grp' || team,
            a + interval '1 minute' * (2 + 18 * r9), a + interval '1 hour' * (2 + 38 * pg_temp.r(g, 12)),
            CASE WHEN pg_temp.r(g, 13) < 0.6 THEN 'Called the customer back; ' || (ARRAY['fixed it together', 'explained the workaround', 'replaced the device', 'apologised for the wait'])[1 + floor(pg_temp.r(g, 14) * 4)::int] END,
            CASE WHEN 2 + 38 * pg_temp.r(g, 12) > 24 THEN a + interval '24 hours' END,
            CASE WHEN 2 + 38 * pg_temp.r(g, 12) > 24 AND pg_temp.r(g, 15) < 0.5 THEN a + interval '24 hours 1 minute' END,
            g, a, a
     FROM (SELECT p.*, least(now(), p.sent_at + interval '1 hour' * (1 + r9 * 30)) AS a FROM plan p
           WHERE answered AND ((scale = 'csat' AND score <= 2) OR (scale = 'nps' AND score <= 6))) AS d`,
  );
  for (const [table, column] of [['people', 'id'], ['tickets', 'id'], ['closures', 'id'], ['survey_decisions', 'id'], ['surveys', 'id'], ['responses', 'id'], ['follow_ups', 'id']] as const) {
    await client.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT coalesce(max(${column}), 1) FROM ${table}))`);
  }
  await client.query(`RESET session_replication_role`).catch(() => {});
  await client.query(`DROP TABLE plan`);
}

/** One more survey, sent just now and unanswered, with a link token the benchmark knows: the customer who answers during the load. */
export async function seedLiveSurvey(client: pg.Client, connectorId: string, tokenHash: Buffer): Promise<void> {
  await client.query(
    `WITH t AS (
       INSERT INTO tickets (connector_id, external_id, external_key, title, category, priority, state, assignment_group_id, assignment_group_name, assignee_id, assignee_name, requester_person_id)
       VALUES ($1, 'live', 'INCLIVE', 'Live ticket', 'Category 1', '3', 'Closed', 'grp0', 'Team 00', 'usr0-0', 'Agent 0-0', 1) RETURNING id
     ), c AS (
       INSERT INTO closures (ticket_id, closed_at, source, status) SELECT id, now(), 'poll', 'decided' FROM t RETURNING id, ticket_id
     ), d AS (
       INSERT INTO survey_decisions (closure_id, connector_id, person_id, outcome, reason, detail) SELECT id, $1, 1, 'survey', 'eligible', 'bench live' FROM c RETURNING id, closure_id
     ), s AS (
       INSERT INTO surveys (decision_id, closure_id, ticket_id, connector_id, person_id, scale, status, send_after, attempts, claimed_at, sent_at, expires_at, reminder_status, message_id)
       SELECT d.id, c.id, c.ticket_id, $1, 1, 'csat', 'sent', now(), 1, now() - interval '1 minute', now() - interval '1 minute', now() + interval '28 days', 'skipped', 'bench-live'
       FROM d JOIN c ON c.id = d.closure_id RETURNING id
     )
     INSERT INTO survey_tokens (token_hash, survey_id, purpose) SELECT $2, id, 'answer' FROM s`,
    [connectorId, tokenHash],
  );
}
