import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/env.js';
import { seedClosedIncidents, snowConnector, startHarness, type Harness } from './support/harness.js';

/** A person's data on request: export everything, erase by anonymising (scores stay in the figures). */
describe('people: export and erase', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { rules: { cooldownDays: 0, maxSurveysPer30Days: 0 } }));
    seedClosedIncidents(h.sim, 2, 1);
    await h.api('POST', '/admin/connectors/snow/poll');
    await waitFor('two surveys sent', async () => (await h.te.db.selectFrom('surveys').select('id').where('status', '=', 'sent').execute()).length === 2, 60_000);
  }, 90_000);
  afterAll(() => h?.close());

  it('exports, then erases: comments and traces go, scores stay, links stop, unsent surveys are cancelled', async () => {
    const [first, second] = await h.te.db.selectFrom('surveys').select('id').orderBy('id').execute();
    await sql`INSERT INTO responses (survey_id, score, comment, user_agent, client_ip_hash, is_active) VALUES (${first!.id}, 2, 'Call me on 0170 1234567', 'Mozilla', 'abc', true)`.execute(h.te.db);
    await sql`UPDATE surveys SET status = 'scheduled' WHERE id = ${second!.id}`.execute(h.te.db);
    const exported = await h.api('GET', '/admin/people/export?email=USER0@example.com', undefined, { headers: { 'x-admin-actor': 'privacy-desk' } });
    expect(exported.body).toMatchObject({ email: 'user0@example.com', person: { displayName: 'User 0' }, answers: [{ score: 2, comment: 'Call me on 0170 1234567' }] });
    expect(exported.body.surveys).toHaveLength(2);

    const erased = await h.api('POST', '/admin/people/erase', { email: 'user0@example.com' }, { headers: { 'x-admin-actor': 'privacy-desk' } });
    expect(erased.body).toMatchObject({ answersAnonymised: 1, linksRevoked: 4, surveysCancelled: 1, activeSuppressionKept: false });
    const answer = await h.te.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
    expect(answer).toMatchObject({ score: 2, comment: null, user_agent: null, client_ip_hash: null, is_active: true });
    const person = await h.te.db.selectFrom('people').selectAll().executeTakeFirstOrThrow();
    expect(person).toMatchObject({ email: erased.body.replacement, display_name: null, time_zone: null });
    expect(await h.te.db.selectFrom('survey_tokens').selectAll().execute()).toEqual([]);
    expect((await h.te.db.selectFrom('surveys').select('status').where('id', '=', second!.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    const stats = await h.api('GET', '/admin/stats');
    expect(stats.body.total.csat.n).toBe(1); // the score still counts
    const audit = (await h.api('GET', '/admin/audit?actor=privacy-desk')).body.entries;
    expect(audit.map((e: { action: string; targetId: string }) => [e.action, e.targetId])).toEqual([['person.erase', 'u***@example.com'], ['person.export', 'u***@example.com']]);
    expect((await h.api('GET', '/admin/people?email=user0@example.com')).body.person).toBeNull();
  });
});
