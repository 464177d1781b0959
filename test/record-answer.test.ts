import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer, type AnswerInput } from '../src/store/responses.js';
import { loadSurveysForDelivery } from '../src/store/surveys.js';
import { loadWritebacks } from '../src/store/writebacks.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from './support/env.js';

const answer = (score: number, flagged = false): AnswerInput => ({ score, comment: `score ${score}`, flagReasons: flagged ? ['honeypot'] : [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 30 });

describe('answers in the store: recorded in one statement, loaded in batches', () => {
  let te: TestEnv;
  let n = 0;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'snow');
  });
  afterAll(async () => te?.cleanup());

  /** A sent survey on a fresh closed ticket. */
  async function sentSurvey(): Promise<string> {
    const id = `t${++n}`;
    const at = new Date(Date.now() - 3600_000);
    const [closureId] = await recordSnapshots(te.db, 'snow', [{
      externalId: id, key: `INC-${id}`, title: 'VPN', category: null, subcategory: null, priority: null, state: '7', isClosed: true, closedAt: at, closeCode: null,
      assignmentGroupId: null, assignmentGroupName: null, assigneeId: null, assigneeName: null, resolverId: null, resolverName: null,
      requester: { externalId: null, email: `${id}@example.com`, name: null, locale: null, timeZone: null }, openedAt: at, updatedAt: at,
    }], 'poll');
    const r = await sql<{ id: string }>`
      WITH c AS (SELECT c.id, c.ticket_id, t.requester_person_id AS person_id FROM closures c JOIN tickets t ON t.id = c.ticket_id WHERE c.id = ${closureId}),
      d AS (INSERT INTO survey_decisions (closure_id, connector_id, person_id, outcome, reason, detail) SELECT id, 'snow', person_id, 'survey', 'eligible', '' FROM c RETURNING id)
      INSERT INTO surveys (decision_id, closure_id, ticket_id, connector_id, person_id, status, send_after, sent_at, expires_at)
      SELECT d.id, c.id, c.ticket_id, 'snow', c.person_id, 'sent', now(), now(), now() + interval '7 days' FROM c, d RETURNING id::text AS id`.execute(te.db);
    return r.rows[0]!.id;
  }
  const record = async (surveyId: string, a: AnswerInput) => {
    const id = await drawResponseId(te.db);
    return recordAnswer(te.db, surveyId, id, a, `FB-A${id}-test`);
  };
  const state = async (surveyId: string) => ({
    responses: await te.db.selectFrom('responses').select(['id', 'score', 'is_active', 'flagged']).where('survey_id', '=', surveyId).orderBy('submitted_at').orderBy('id').execute(),
    writebacks: await te.db.selectFrom('writebacks').select(['response_id', 'status', 'marker']).where('survey_id', '=', surveyId).orderBy('id').execute(),
  });

  it('an answer becomes active and owes a write-back under its marker; a change supersedes both', async () => {
    const s = await sentSurvey();
    const first = await record(s, answer(2));
    expect(first.active).toBe(true);
    let st = await state(s);
    expect(st.responses).toEqual([{ id: first.responseId, score: 2, is_active: true, flagged: false }]);
    expect(st.writebacks).toEqual([{ response_id: first.responseId, status: 'pending', marker: `FB-A${first.responseId}-test` }]);

    const second = await record(s, answer(5));
    st = await state(s);
    expect(st.responses.map((r) => [r.id, r.is_active])).toEqual([[first.responseId, false], [second.responseId, true]]);
    expect(st.writebacks.map((w) => [w.response_id, w.status])).toEqual([[first.responseId, 'superseded'], [second.responseId, 'pending']]);
  });

  it('a flagged answer is kept but changes nothing and owes no write-back', async () => {
    const s = await sentSurvey();
    const real = await record(s, answer(4));
    const bot = await record(s, answer(1, true));
    expect(bot.active).toBe(false);
    const st = await state(s);
    expect(st.responses.map((r) => [r.id, r.is_active, r.flagged])).toEqual([[real.responseId, true, false], [bot.responseId, false, true]]);
    expect(st.writebacks.map((w) => w.status)).toEqual(['pending']);
  });

  it('many answers to one survey at once leave exactly one active answer and one write-back owed', async () => {
    const s = await sentSurvey();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => record(s, answer((i % 5) + 1))));
    expect(results.every((r) => r.active)).toBe(true);
    const st = await state(s);
    expect(st.responses).toHaveLength(8);
    expect(st.responses.filter((r) => r.is_active)).toHaveLength(1);
    const owed = st.writebacks.filter((w) => w.status === 'pending');
    expect(owed).toHaveLength(1);
    expect(owed[0]!.response_id).toBe(st.responses.find((r) => r.is_active)!.id);
    expect(st.writebacks.filter((w) => w.status === 'superseded')).toHaveLength(7);
  });

  it('the send and write-back stages load several rows in one query, each as it would alone', async () => {
    const surveys = [await sentSurvey(), await sentSurvey(), await sentSurvey()];
    const answers = [await record(surveys[0]!, answer(1)), await record(surveys[1]!, answer(5))];
    const together = await loadSurveysForDelivery(te.db, [...surveys, '999999999']);
    expect([...together.keys()].sort()).toEqual([...surveys].sort());
    for (const id of surveys) expect(together.get(id)).toEqual((await loadSurveysForDelivery(te.db, [id])).get(id));
    expect(together.get(surveys[0]!)!.hasActiveAnswer).toBe(true);
    expect(together.get(surveys[2]!)!.hasActiveAnswer).toBe(false);
    const wbs = await loadWritebacks(te.db, [...answers.map((a) => a.responseId), '999999999']);
    expect([...wbs.keys()].sort()).toEqual(answers.map((a) => a.responseId).sort());
    expect(wbs.get(answers[0]!.responseId)).toMatchObject({ responseId: answers[0]!.responseId, surveyId: surveys[0], score: 1, status: 'pending', followUp: null });
    expect(wbs.get(answers[1]!.responseId)).toEqual((await loadWritebacks(te.db, [answers[1]!.responseId])).get(answers[1]!.responseId));
  });

  it('refuses an answer to a survey that does not exist', async () => {
    await expect(record('999999999', answer(3))).rejects.toThrow(/does not exist/);
  });
});
