import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from './support/env.js';

/**
 * The survey_facts triggers run on generic plans, cached per connection for as long as it lives. A
 * plan made while the tables were small (a fresh install, the first minutes of a bench) must still
 * reach rows by key when they hold millions: a sequential scan there costs every closure more as the
 * history grows. So no statement the triggers run may scan a source table sequentially, whatever the
 * statistics say. The changes below are made by ctid (a TID scan, never a sequential one), so every
 * sequential scan counted in the transaction is the triggers' own.
 */

const SOURCE_TABLES = ['surveys', 'tickets', 'connectors', 'responses', 'follow_ups', 'survey_facts'];

function past(i: number, now: Date): PastSurvey {
  const sentAt = new Date(now.getTime() - 3_600_000);
  return {
    connectorId: 'snow',
    ticket: { externalId: `t${i}`, key: `INC${i}`, title: `Ticket ${i}`, category: 'network', priority: '3', groupId: 'g1', groupName: 'Service Desk', assigneeId: 'a1', assigneeName: 'Ann' },
    requester: { email: `p${i}@example.com`, name: `Person ${i}` },
    scale: 'csat',
    sentAt,
    answer: { score: 1, comment: 'slow', submittedAt: new Date(sentAt.getTime() + 60_000) },
    followUp: { createdAt: new Date(sentAt.getTime() + 120_000), dueAt: new Date(sentAt.getTime() + 86_400_000), closedAt: null, outcome: null },
  };
}

describe('survey_facts triggers on a small, never analysed database', () => {
  let te: TestEnv;
  let client: pg.Client;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'snow');
    const now = new Date();
    await insertPastSurveys(te.db, [0, 1, 2].map((i) => past(i, now)));
    client = new pg.Client({ connectionString: te.config.DATABASE_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await te?.cleanup();
  });

  it('reach the source rows by key when a survey, its answer, its follow-up and its ticket change', async () => {
    const ids = await client.query<{ id: string; survey: string; response: string; follow_up: string; ticket: string }>(`
      SELECT s.id, s.ctid::text AS survey, r.ctid::text AS response, f.ctid::text AS follow_up, t.ctid::text AS ticket
      FROM surveys s JOIN responses r ON r.survey_id = s.id JOIN follow_ups f ON f.survey_id = s.id JOIN tickets t ON t.id = s.ticket_id
      ORDER BY s.id LIMIT 1`);
    const row = ids.rows[0]!;
    await client.query('BEGIN');
    try {
      // Each changes a column its facts hold, so each statement's trigger refreshes the survey's facts.
      await client.query(`UPDATE surveys SET delivered_at = now() WHERE ctid = $1::tid`, [row.survey]);
      await client.query(`UPDATE responses SET comment = 'slow, twice' WHERE ctid = $1::tid`, [row.response]);
      await client.query(`UPDATE follow_ups SET outcome = 'called back' WHERE ctid = $1::tid`, [row.follow_up]);
      await client.query(`UPDATE tickets SET category = 'hardware' WHERE ctid = $1::tid`, [row.ticket]);
      const scans = await client.query<{ relname: string; seq_scan: string }>(`SELECT relname, seq_scan FROM pg_stat_xact_user_tables WHERE relname = ANY ($1)`, [SOURCE_TABLES]);
      const sequential = Object.fromEntries(scans.rows.filter((r) => Number(r.seq_scan) > 0).map((r) => [r.relname, Number(r.seq_scan)]));
      expect(sequential).toEqual({});
      // And the facts followed every change.
      const facts = await client.query(`SELECT x.delivered, x.category, x.follow_up_outcome FROM survey_facts x WHERE x.survey_id = $1`, [row.id]);
      expect(facts.rows[0]).toEqual({ delivered: true, category: 'hardware', follow_up_outcome: true });
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
