import type pg from 'pg';

/**
 * What keeping survey_facts current costs a closure: the statements the pipeline makes for one
 * closure (ticket, closure, decision and survey, claim, sent, delivered; for 30 % an answer and its
 * write-back; for a third of those a follow-up task through its states), each its own transaction
 * as the stages send them, timed one by one with the analytics triggers enabled and disabled in
 * alternating blocks. Per kind of statement the median with and without is taken (a shared, noisy
 * machine puts outliers into any total), and the cost per closure is the sum over the statements
 * of an average closure. The round trips are the same both ways: the difference is Postgres time.
 */
const FACT_TRIGGERS: [string, string[]][] = [
  ['surveys', ['survey_facts_surveys_insert', 'survey_facts_surveys_update']],
  ['responses', ['survey_facts_responses_insert', 'survey_facts_responses_update', 'survey_facts_responses_delete']],
  ['follow_ups', ['survey_facts_follow_ups_insert', 'survey_facts_follow_ups_update', 'survey_facts_follow_ups_delete']],
  ['tickets', ['survey_facts_tickets_update']],
  ['survey_facts', ['analytics_facts_insert', 'analytics_facts_update', 'analytics_facts_delete']],
];

async function setTriggers(client: pg.Client, enabled: boolean) {
  for (const [table, names] of FACT_TRIGGERS) for (const n of names) await client.query(`ALTER TABLE ${table} ${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER ${n}`);
}

type Timings = Map<string, number[]>;

async function oneClosure(client: pg.Client, connectorId: string, i: number, run: string, timings: Timings): Promise<number> {
  let statements = 0;
  const q = async (text: string, values: unknown[] = []) => {
    statements++;
    const started = process.hrtime.bigint();
    const rows = (await client.query(text, values)).rows;
    const kind = text.replace(/\s+/g, ' ').slice(0, 60);
    const list = timings.get(kind) ?? timings.set(kind, []).get(kind)!;
    list.push(Number(process.hrtime.bigint() - started) / 1e6);
    return rows;
  };
  const [ticket] = await q(
    `INSERT INTO tickets (connector_id, external_id, external_key, title, category, priority, state, assignment_group_id, assignment_group_name, assignee_id, assignee_name, requester_person_id)
     VALUES ($1, $2, $3, 'Cost probe', 'Category 3', '3', 'Closed', 'grp3', 'Team 03', 'usr3-1', 'Agent 3-1', 1 + $4 % 1000)
     ON CONFLICT (connector_id, external_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now() RETURNING id`,
    [connectorId, `cost-${run}-${i}`, `COST${i}`, i],
  );
  const [closure] = await q(`INSERT INTO closures (ticket_id, closed_at, source) VALUES ($1, now(), 'webhook') RETURNING id`, [ticket.id]);
  const [survey] = await q(
    `WITH d AS (INSERT INTO survey_decisions (closure_id, connector_id, person_id, outcome, reason, detail) VALUES ($1, $2, 1 + $3 % 1000, 'survey', 'eligible', 'probe') RETURNING id),
          u AS (UPDATE closures SET status = 'decided' WHERE id = $1)
     INSERT INTO surveys (decision_id, closure_id, ticket_id, connector_id, person_id, scale, send_after) SELECT d.id, $1, $4, $2, 1 + $3 % 1000, 'csat', now() FROM d RETURNING id`,
    [closure.id, connectorId, i, ticket.id],
  );
  await q(`UPDATE surveys SET status = 'sending', attempts = attempts + 1, claimed_at = now(), expires_at = now() + interval '28 days', updated_at = now() WHERE id = $1 AND status = 'scheduled'`, [survey.id]);
  await q(`UPDATE surveys SET status = 'sent', message_id = $2, sent_at = now(), updated_at = now() WHERE id = $1 AND status = 'sending'`, [survey.id, `probe-${run}-${i}`]);
  await q(`UPDATE surveys SET delivered_at = now() WHERE id = $1`, [survey.id]);
  if (i % 10 < 3) {
    const score = i % 3 === 0 ? 1 : 5;
    const [answer] = await q(
      `WITH s AS (SELECT id, connector_id FROM surveys WHERE id = $1 FOR UPDATE),
            retired AS (UPDATE responses SET is_active = false WHERE survey_id = (SELECT id FROM s) AND is_active RETURNING id),
            answer AS (INSERT INTO responses (survey_id, score, comment, is_active) SELECT s.id, $2, 'probe comment', true FROM s, (SELECT count(*) FROM retired) r RETURNING id)
       INSERT INTO writebacks (response_id, survey_id, connector_id, marker) SELECT answer.id, s.id, s.connector_id, 'probe' || answer.id FROM answer, s RETURNING response_id`,
      [survey.id, score],
    );
    await q(`UPDATE writebacks SET status = 'claimed', attempts = attempts + 1, claimed_at = now() WHERE response_id = $1`, [answer.response_id]);
    await q(`UPDATE writebacks SET status = 'done', done_at = now() WHERE response_id = $1`, [answer.response_id]);
    if (score === 1) {
      const [f] = await q(
        `INSERT INTO follow_ups (survey_id, response_id, ticket_id, connector_id, marker, due_at) VALUES ($1, $2::bigint, $3, $4, 'probe-f' || $2::text, now() + interval '24 hours') RETURNING id`,
        [survey.id, answer.response_id, ticket.id, connectorId],
      );
      await q(`UPDATE follow_ups SET status = 'claimed', attempts = attempts + 1, updated_at = now() WHERE id = $1`, [f.id]);
      await q(`UPDATE follow_ups SET status = 'open', external_id = 'probe-task', external_key = 'TASK1', created_external_at = now(), updated_at = now() WHERE id = $1`, [f.id]);
      await q(`UPDATE follow_ups SET sla_checks = sla_checks + 1, updated_at = now() WHERE id = $1`, [f.id]);
      await q(`UPDATE follow_ups SET status = 'closed', closed_at = now(), outcome = 'Called back', updated_at = now() WHERE id = $1`, [f.id]);
    }
  }
  return statements;
}

export interface ClosureCost {
  closures: number;
  statementsPerClosure: number;
  /** Σ over an average closure's statements of the median time of each kind, ms (one client, in sequence). */
  withTriggersMs: number;
  withoutTriggersMs: number;
}

export async function measureClosureCost(client: pg.Client, connectorId: string, opts: { blocks: number; perBlock: number }): Promise<ClosureCost> {
  const run = Date.now().toString(36);
  const timings: Record<'on' | 'off', Timings> = { on: new Map(), off: new Map() };
  let n = 0;
  // Warm-up (plans cached, pages in memory), then alternate to share the machine's noise evenly.
  for (let i = 0; i < 50; i++) await oneClosure(client, connectorId, n++, run, new Map());
  const measured = opts.blocks * 2 * opts.perBlock;
  try {
    for (let b = 0; b < opts.blocks * 2; b++) {
      const mode = b % 2 === 0 ? 'on' : 'off';
      await setTriggers(client, mode === 'on');
      for (let i = 0; i < opts.perBlock; i++) await oneClosure(client, connectorId, n++, run, timings[mode]);
    }
  } finally {
    await setTriggers(client, true);
  }
  // The probe's surveys stop counting (their facts go, through the triggers): the figures stay those of
  // the seeded history. (Deleting them would cascade through tickets.id, which surveys do not index.)
  await client.query(`UPDATE surveys SET status = 'cancelled' WHERE message_id LIKE $1`, [`probe-${run}-%`]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const perClosure = (t: Timings, closures: number) => [...t.values()].reduce((sum, xs) => sum + median(xs) * (xs.length / closures), 0);
  const statements = [...timings.on.values(), ...timings.off.values()].reduce((a, xs) => a + xs.length, 0);
  return { closures: measured, statementsPerClosure: statements / measured, withTriggersMs: perClosure(timings.on, measured / 2), withoutTriggersMs: perClosure(timings.off, measured / 2) };
}
