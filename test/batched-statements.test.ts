import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/db/client.js';
import { recordPushedSnapshots, recordSnapshots, recordInboundEvent, CLOSURE_KNOWN, CLOSURE_RECORDED } from '../src/store/intake.js';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { drawResponseId, recordAnswer, surveyByToken, type AnswerInput } from '../src/store/responses.js';
import { claimSurveysForSending, finishSendings } from '../src/store/surveys.js';
import { claimWritebacks, finishWritebacks } from '../src/store/writebacks.js';
import { claimFollowUps, markTasksCreated, upsertFollowUps } from '../src/store/follow-ups.js';
import { hashToken, newToken } from '../src/lib/tokens.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from './support/env.js';

const answer = (score: number): AnswerInput => ({ score, comment: `score ${score}`, flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 30 });
const ticket = (id: string, email: string, at = new Date(Date.now() - 3600_000)): TicketSnapshot => ({
  externalId: id, key: `INC-${id}`, title: 'VPN', category: null, subcategory: null, priority: null, state: '7', isClosed: true, closedAt: at, closeCode: null,
  assignmentGroupId: null, assignmentGroupName: null, assigneeId: null, assigneeName: null, resolverId: null, resolverName: null,
  requester: { externalId: null, email, name: null, locale: null, timeZone: null }, openedAt: at, updatedAt: at,
});

describe('statements shared by the work of several jobs or requests', () => {
  let te: TestEnv;
  let db: Db;
  const statements: string[] = [];
  let n = 0;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'snow');
    await saveOfflineConnector(te, 'jira');
    // A handle of its own that records every statement it sends.
    const made = createDb(te.config.DATABASE_URL, 5);
    made.pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      client.query = ((...a: unknown[]) => {
        const q = a[0] as string | { text: string };
        statements.push(typeof q === 'string' ? q : q.text);
        return query(...a);
      }) as typeof client.query;
    });
    db = made.db;
  });
  afterAll(async () => {
    await db?.destroy();
    await te?.cleanup();
  });
  const counting = async <T>(pattern: RegExp, work: () => Promise<T>): Promise<{ result: T; count: number }> => {
    const from = statements.length;
    const result = await work();
    return { result, count: statements.slice(from).filter((s) => pattern.test(s)).length };
  };

  /** A sent survey on a fresh closed ticket, with an answer link; returns its id and token. */
  async function sentSurvey(): Promise<{ id: string; token: string }> {
    const id = `t${++n}`;
    const [closureId] = await recordSnapshots(te.db, 'snow', [ticket(id, `${id}@example.com`)], 'poll');
    const t = newToken();
    const r = await sql<{ id: string }>`
      WITH c AS (SELECT c.id, c.ticket_id, t.requester_person_id AS person_id FROM closures c JOIN tickets t ON t.id = c.ticket_id WHERE c.id = ${closureId}),
      d AS (INSERT INTO survey_decisions (closure_id, connector_id, person_id, outcome, reason, detail) SELECT id, 'snow', person_id, 'survey', 'eligible', '' FROM c RETURNING id),
      s AS (INSERT INTO surveys (decision_id, closure_id, ticket_id, connector_id, person_id, status, send_after, sent_at, expires_at)
            SELECT d.id, c.id, c.ticket_id, 'snow', c.person_id, 'sent', now(), now(), now() + interval '7 days' FROM c, d RETURNING id)
      INSERT INTO survey_tokens (token_hash, survey_id, purpose) SELECT ${t.hash}, s.id, 'answer' FROM s RETURNING survey_id::text AS id`.execute(te.db);
    return { id: r.rows[0]!.id, token: t.token };
  }

  it('answers to several surveys at once are recorded by one statement, each as it would be alone', async () => {
    const surveys = await Promise.all([1, 2, 3, 4].map(() => sentSurvey()));
    const ids = await Promise.all(surveys.map(() => drawResponseId(te.db)));
    const { result, count } = await counting(/INSERT INTO writebacks/, () => Promise.all(surveys.map((s, i) => recordAnswer(db, s.id, ids[i]!, answer(i + 1), `FB-A${ids[i]}-x`))));
    expect(result.map((r) => r.responseId)).toEqual(ids);
    expect(count).toBe(1);
    const rows = await te.db.selectFrom('writebacks as w').innerJoin('responses as r', 'r.id', 'w.response_id').select(['w.survey_id', 'w.response_id', 'w.marker', 'w.status', 'r.score', 'r.is_active']).where('w.survey_id', 'in', surveys.map((s) => s.id)).orderBy('r.score').execute();
    expect(rows).toEqual(surveys.map((s, i) => ({ survey_id: s.id, response_id: ids[i], marker: `FB-A${ids[i]}-x`, status: 'pending', score: i + 1, is_active: true })));
    // A second round replaces each answer and supersedes its owed write-back, as alone.
    const again = await Promise.all(surveys.map(() => drawResponseId(te.db)));
    await Promise.all(surveys.map((s, i) => recordAnswer(db, s.id, again[i]!, answer(5), `FB-A${again[i]}-x`)));
    const after = await te.db.selectFrom('writebacks').select(['response_id', 'status']).where('survey_id', 'in', surveys.map((s) => s.id)).execute();
    expect(after.filter((w) => w.status === 'superseded').map((w) => w.response_id).sort()).toEqual([...ids].sort());
    expect(after.filter((w) => w.status === 'pending').map((w) => w.response_id).sort()).toEqual([...again].sort());
    await expect(Promise.all([recordAnswer(db, surveys[0]!.id, await drawResponseId(te.db), answer(2), 'FB-A-y'), recordAnswer(db, '999999999', await drawResponseId(te.db), answer(2), 'FB-A-z')])).rejects.toThrow(/999999999 does not exist/);
  });

  it('the pages of several customers look their tokens up in one statement, each finding its own survey', async () => {
    const surveys = await Promise.all([1, 2, 3].map(() => sentSurvey()));
    const lookups = [...surveys.map((s) => hashToken(s.token)), randomBytes(32)];
    const { result, count } = await counting(/survey_tokens/, () => Promise.all(lookups.map((h, i) => surveyByToken(db, h, 'answer', new Date(), { drawResponseId: i === 0 }))));
    expect(count).toBe(1);
    expect(result.map((r) => r?.surveyId ?? null)).toEqual([...surveys.map((s) => s.id), null]);
    expect(result[0]!.nextResponseId).toMatch(/^\d+$/);
    expect(result[1]!.nextResponseId).toBeNull();
    expect(result[1]).toEqual(await surveyByToken(te.db, lookups[1]!, 'answer', new Date()));
  });

  it('claims sends together: a survey named twice, or no longer scheduled, is not claimed, and its tokens are not stored', async () => {
    const [a, b] = await Promise.all([sentSurvey(), sentSurvey()]);
    await te.db.updateTable('surveys').set({ status: 'scheduled' }).where('id', '=', a!.id).execute();
    const tokens = () => [{ hash: randomBytes(32), purpose: 'answer' as const }];
    const claims = [{ surveyId: a!.id, tokens: tokens(), expiresAt: new Date(Date.now() + 86_400_000) }, { surveyId: a!.id, tokens: tokens(), expiresAt: new Date() }, { surveyId: b!.id, tokens: tokens(), expiresAt: new Date() }];
    expect(await claimSurveysForSending(te.db, claims)).toEqual([true, false, false]);
    const stored = await te.db.selectFrom('survey_tokens').select('token_hash').where('token_hash', 'in', claims.map((c) => c.tokens[0]!.hash)).execute();
    expect(stored.map((t) => Buffer.from(t.token_hash).toString('hex'))).toEqual([claims[0]!.tokens[0]!.hash.toString('hex')]);
    await finishSendings(te.db, [{ surveyId: a!.id, outcome: { status: 'sent', messageId: 'm-1', at: new Date() } }, { surveyId: b!.id, outcome: { status: 'failed', reason: 'not claimed' } }]);
    const row = async (id: string) => te.db.selectFrom('surveys').select(['status', 'message_id', 'failed_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await row(a!.id)).toEqual({ status: 'sent', message_id: 'm-1', failed_reason: null });
    expect(await row(b!.id)).toEqual({ status: 'sent', message_id: null, failed_reason: null }); // not 'sending': left as it was
  });

  it('claims and finishes write-backs and follow-ups together, each as alone', async () => {
    const surveys = await Promise.all([1, 2].map(() => sentSurvey()));
    const answers = await Promise.all(surveys.map(async (s) => recordAnswer(te.db, s.id, await drawResponseId(te.db), answer(1), 'FB-A-w')));
    const wbs = await te.db.selectFrom('writebacks').select(['id', 'survey_id']).where('survey_id', 'in', surveys.map((s) => s.id)).orderBy('survey_id').execute();
    const claims = await claimWritebacks(te.db, [wbs[0]!.id, wbs[1]!.id, wbs[0]!.id], 60_000);
    expect(claims).toEqual([{ attempt: 1, previousScore: null }, { attempt: 1, previousScore: null }, null]);
    expect(await claimWritebacks(te.db, [wbs[0]!.id], 60_000)).toEqual([null]); // held: its lease is fresh
    await finishWritebacks(te.db, [{ id: wbs[0]!.id, status: 'done' }, { id: wbs[1]!.id, status: 'failed', note: 'refused' }]);
    const wbRow = (id: string) => te.db.selectFrom('writebacks').select(['status', 'external_ref']).where('id', '=', id).executeTakeFirst();
    expect(await wbRow(wbs[0]!.id)).toEqual({ status: 'done', external_ref: null });
    expect(await wbRow(wbs[1]!.id)).toEqual({ status: 'failed', external_ref: 'refused' });

    const due = new Date(Date.now() + 86_400_000);
    const items = surveys.map((s, i) => ({ surveyId: s.id, responseId: answers[i]!.responseId, ticketId: '0', connectorId: 'snow', marker: `FB-T${s.id}-x`, dueAt: due }));
    const tickets = await te.db.selectFrom('surveys').select(['id', 'ticket_id']).where('id', 'in', surveys.map((s) => s.id)).execute();
    for (const it of items) it.ticketId = tickets.find((t) => t.id === it.surveyId)!.ticket_id;
    const fids = await upsertFollowUps(te.db, items);
    expect(await upsertFollowUps(te.db, items)).toEqual(fids); // idempotent per survey
    expect(await upsertFollowUps(te.db, [items[0]!, items[0]!])).toEqual([fids[0], fids[0]]);
    expect(await claimFollowUps(te.db, [fids[0]!, fids[1]!], 60_000)).toEqual([1, 1]);
    await markTasksCreated(te.db, fids.map((id, i) => ({ id, externalId: `task${i}`, key: `TASK${i}`, groupId: null, assigneeId: null, responseId: answers[i]!.responseId })));
    for (const [i, id] of fids.entries()) expect(await te.db.selectFrom('follow_ups').select(['status', 'external_key']).where('id', '=', id).executeTakeFirst()).toEqual({ status: 'open', external_key: `TASK${i}` });
  });

  it('stores the re-reads of several push notifications, of two connectors, marking each notification processed', async () => {
    const known = ticket('p-known', 'p1@example.com');
    await recordSnapshots(te.db, 'snow', [known], 'poll');
    const events = await Promise.all([
      recordInboundEvent(te.db, 'snow', { externalId: 'p-new', dedupeKey: 'e1' }),
      recordInboundEvent(te.db, 'snow', { externalId: 'p-known', dedupeKey: 'e2' }),
      recordInboundEvent(te.db, 'jira', { externalId: 'p-new', dedupeKey: 'e3' }),
    ]);
    const created = await recordPushedSnapshots(te.db, [
      { connectorId: 'snow', eventId: events[0]!, ticket: ticket('p-new', 'p2@example.com') },
      { connectorId: 'snow', eventId: events[1]!, ticket: known },
      { connectorId: 'jira', eventId: events[2]!, ticket: ticket('p-new', 'p2@example.com') },
    ]);
    expect(created.map((ids) => ids.length)).toEqual([1, 0, 1]);
    expect(created[0]).not.toEqual(created[2]);
    const results = await te.db.selectFrom('inbound_events').select(['id', 'result']).where('id', 'in', events as string[]).execute();
    expect(events.map((id) => results.find((r) => r.id === id)!.result)).toEqual([CLOSURE_RECORDED, CLOSURE_KNOWN, CLOSURE_RECORDED]);
  });
});
