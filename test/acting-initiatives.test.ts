import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys } from '../src/analytics/history.js';
import { adfToText } from '../src/connectors/jira/adf.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { validateJiraRequest } from '../src/sim/jira/openapi-validator.js';
import { pastSurvey, spread } from './support/acting-data.js';
import { pathTemplate, startCaptureProxy } from './support/capture-proxy.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * Improvement initiatives against real Postgres and both simulators. The effect is checked against a
 * seeded dataset worked out by hand (Python; shares and bounds rounded to 4 places):
 *   "VPN" initiative of Network, 2026-09-07 → 2026-09-27, 4 weeks each side:
 *   before [2026-08-10, 2026-09-06]: 40 Network comments, 24 about VPN (0.6, Wilson 0.446–0.7365);
 *                                    40 CSAT answers, 20 of them 4–5 (0.5, 0.352–0.648)
 *   after  [2026-09-28, 2026-10-25]: 40 comments, 6 about VPN (0.15, 0.0706–0.2907);
 *                                    40 answers, 32 of them 4–5 (0.8, 0.6524–0.895)
 *   topic share −0.45, Newcombe 95% −0.6079 to −0.2414, z −4.157, p 0.0000 → improved (lower is better)
 *   CSAT        +0.30, Newcombe 95% 0.091 to 0.4759, z 2.813, p 0.0049 → improved. Overall: improved.
 * Surveys during the work, before the before window, and of another team never count.
 */
describe('improvement initiatives', () => {
  let h: Harness;
  let jira: JiraSim;
  let proxy: Awaited<ReturnType<typeof startCaptureProxy>>;
  const basic = () => `Basic ${Buffer.from(`x:${h.te.config.ADMIN_TOKEN}`).toString('base64')}`;

  beforeAll(async () => {
    h = await startHarness();
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    jira.createProject({ key: 'IMP', name: 'Improvements', type: 'software' });
    proxy = await startCaptureProxy(jira.url);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' } }))).status).toBe(201);
    const j = await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: proxy.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      intake: { mode: 'push' }, jira: { projects: ['SUP'], improvementProject: 'IMP', improvementIssueType: 'Task' },
    });
    expect(j.status, JSON.stringify(j.body)).toBe(201);
    await insertPastSurveys(h.te.db, [
      ...spread('2026-08-10', 28, 40, (s, i) => pastSurvey('snow', 'csat', 'Network', s, i % 2 ? 5 : 2, { comment: i < 24 ? 'VPN drops every hour' : 'Waited too long for an answer' })),
      ...spread('2026-09-28', 28, 40, (s, i) => pastSurvey('snow', 'csat', 'Network', s, i < 32 ? 5 : 2, { comment: i < 6 ? 'The VPN was slow once' : 'Quick and friendly' })),
      ...spread('2026-09-07', 21, 10, (s) => pastSurvey('snow', 'csat', 'Network', s, 1, { comment: 'VPN down during the change' })),
      ...spread('2026-08-01', 9, 5, (s) => pastSurvey('snow', 'csat', 'Network', s, 1, { comment: 'VPN again' })),
      ...spread('2026-08-10', 28, 10, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, 1, { comment: 'VPN token expired' })),
      ...spread('2026-09-28', 28, 10, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, 1, { comment: 'VPN token expired' })),
    ]);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await jira?.close();
  });

  it('validates with clear 4xx and follows proposed → in_progress → done, recording each step', async () => {
    const bad = await h.api('POST', '/admin/initiatives', { title: '', owner: 'Dana', team: 'Nowhere', effectWeeks: 0, citedItems: ['x'], colour: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('title: must not be empty; effectWeeks: must be at least 1; citedItems.0: must be a feedback item id; (body): Unrecognized key: "colour"');
    expect((await h.api('POST', '/admin/initiatives', { title: 'x', owner: 'Dana', team: 'Nowhere' })).body.message).toMatch(/^team: no team is called "Nowhere"/);
    expect((await h.api('POST', '/admin/initiatives', { title: 'x', owner: 'Dana', citedItems: [999] })).body.message).toBe('citedItems: no feedback item 999');
    expect((await h.api('POST', '/admin/initiatives', { title: 'x', owner: 'Dana', status: 'done', startDate: '2026-10-05', endDate: '2026-10-01' })).body.message).toBe('endDate: 2026-10-01 is before startDate 2026-10-05');

    const item = await h.api('POST', '/admin/feedback/items', [{ source: 'Focus group', kind: 'focus_group', date: '2026-09-01', text: 'The VPN drops all the time', team: 'Network' }]);
    const created = await h.api('POST', '/admin/initiatives', { title: 'Stabilise the VPN', owner: 'Dana Weiss', team: 'Network', themes: ['VPN ', 'vpn'], citedItems: item.body.ids, notes: 'Concentrator overloaded' });
    expect(created.status).toBe(201);
    const i = created.body;
    expect(i).toMatchObject({ title: 'Stabilise the VPN', team: { key: 'snow:g-Network', label: 'Network' }, status: 'proposed', startDate: null, themes: ['vpn'], effectWeeks: 6 });
    expect(i.citedItems).toEqual([{ id: item.body.ids[0], kind: 'focus_group', source: 'Focus group', date: '2026-09-01', text: 'The VPN drops all the time' }]);

    const skip = await h.api('PATCH', `/admin/initiatives/${i.id}`, { status: 'done' });
    expect([skip.status, skip.body.message]).toEqual([409, 'status: proposed can only move to in_progress (not done)']);
    const started = await h.api('PATCH', `/admin/initiatives/${i.id}`, { status: 'in_progress', startDate: '2026-09-07' });
    expect(started.body).toMatchObject({ status: 'in_progress', startDate: '2026-09-07', endDate: null });
    const done = await h.api('PATCH', `/admin/initiatives/${i.id}`, { status: 'done', endDate: '2026-09-27', effectWeeks: 4, publicSummary: 'We added a second VPN gateway.' });
    expect(done.body).toMatchObject({ status: 'done', endDate: '2026-09-27' });
    expect(done.body.statusHistory.map((s: any) => [s.from, s.to])).toEqual([[null, 'proposed'], ['proposed', 'in_progress'], ['in_progress', 'done']]);
    expect(done.body.inProgressAt && done.body.doneAt && done.body.proposedAt).toBeTruthy();
    expect((await h.api('PATCH', `/admin/initiatives/${i.id}`, { status: 'in_progress' })).body.message).toBe('status: the initiative is done; it cannot move to in_progress');
    expect((await h.api('PATCH', `/admin/initiatives/${i.id}`, { endDate: '2026-09-01' })).body.message).toBe('endDate: 2026-09-01 is before startDate 2026-09-07');
    expect((await h.api('GET', '/admin/initiatives/424242')).status).toBe(404);
    expect((await h.api('PATCH', '/admin/initiatives/abc', { title: 'y' })).status).toBe(404);
    expect((await h.api('GET', '/admin/initiatives?status=finished')).body.message).toBe('status: must be one of proposed, in_progress, done');
    // Reads take the Basic password (a link from the ITSM record opens in a browser); changes do not.
    expect((await h.service.app!.inject({ method: 'GET', url: `/admin/initiatives/${i.id}`, headers: { authorization: basic() } })).statusCode).toBe(200);
    expect((await h.service.app!.inject({ method: 'DELETE', url: `/admin/initiatives/${i.id}`, headers: { authorization: basic() } })).statusCode).toBe(401);
  });

  it('measures the effect: every share, interval, difference and verdict as worked out by hand', async () => {
    const [i] = (await h.api('GET', '/admin/initiatives?status=done')).body.initiatives;
    const e = await h.api('GET', `/admin/initiatives/${i.id}/effect`);
    expect(e.status).toBe(200);
    expect(e.body.windows).toEqual({ before: { from: '2026-08-10', to: '2026-09-06' }, after: { from: '2026-09-28', to: '2026-10-25' }, afterNotStarted: false, afterPartial: false });
    expect(e.body.topic).toEqual({
      themes: ['vpn'],
      categories: [],
      before: { n: 40, k: 24, share: 0.6, low: 0.446, high: 0.7365 },
      after: { n: 40, k: 6, share: 0.15, low: 0.0706, high: 0.2907 },
      difference: { value: -0.45, low: -0.6079, high: -0.2414, z: -4.157, p: 0 },
      better: 'lower',
      verdict: 'improved',
    });
    expect(e.body.csat).toEqual({
      before: { n: 40, k: 20, share: 0.5, low: 0.352, high: 0.648 },
      after: { n: 40, k: 32, share: 0.8, low: 0.6524, high: 0.895 },
      difference: { value: 0.3, low: 0.091, high: 0.4759, z: 2.813, p: 0.0049 },
      better: 'higher',
      verdict: 'improved',
    });
    expect(e.body.verdict).toBe('improved');
    expect(e.body.summary).toBe(
      'Share of comments about “vpn”: 60.0% before (n=40) → 15.0% after (n=40), −45.0 points (95% interval −60.8 to −24.1; p = 0.0000): improved. CSAT: 50.0% before (n=40) → 80.0% after (n=40), +30.0 points (95% interval +9.1 to +47.6; p = 0.0049): improved. Overall: improved.',
    );
    // One week each side is too little: 10 answers before, 10 after — distinguishable? Not for CSAT here.
    const short = await h.api('GET', `/admin/initiatives/${i.id}/effect?weeks=1`);
    expect(short.body.windows.before).toEqual({ from: '2026-08-31', to: '2026-09-06' });
    expect((await h.api('GET', `/admin/initiatives/${i.id}/effect?weeks=99`)).body.message).toBe('weeks: must be at most 52');
  });

  it('a systemic initiative measures all teams; one not started yet measures nothing', async () => {
    const s = await h.api('POST', '/admin/initiatives', { title: 'VPN for everyone', owner: 'IT leads', themes: ['vpn'], status: 'done', startDate: '2026-09-07', endDate: '2026-09-27', effectWeeks: 4 });
    const e = (await h.api('GET', `/admin/initiatives/${s.body.id}/effect`)).body;
    // Service Desk's 10 + 10 "VPN token expired" (score 1) join both windows.
    expect(e.topic.before).toMatchObject({ n: 50, k: 34 });
    expect(e.topic.after).toMatchObject({ n: 50, k: 16 });
    expect(e.csat.before).toMatchObject({ n: 50, k: 20 });
    expect(e.csat.after).toMatchObject({ n: 50, k: 32 });
    const p = await h.api('POST', '/admin/initiatives', { title: 'Later', owner: 'x' });
    expect((await h.api('GET', `/admin/initiatives/${p.body.id}/effect`)).body).toMatchObject({ pending: 'the initiative has not started: nothing to compare yet', verdict: 'not_enough_data', summary: 'Not measured: the initiative has not started: nothing to compare yet.' });
  });

  it('mirrors an initiative as a ServiceNow problem once, linked both ways, and finds it after an interrupted attempt', async () => {
    const [i] = (await h.api('GET', '/admin/initiatives?status=done&team=snow:g-Network')).body.initiatives.filter((x: any) => x.team);
    expect((await h.api('POST', `/admin/initiatives/${i.id}/mirror`, { connectorId: 'nope' })).body.message).toBe('connectorId: no connector "nope"');
    expect((await h.api('POST', `/admin/initiatives/${i.id}/mirror`, {})).body.message).toBe('connectorId: is required: the connector whose ITSM gets the record');
    const m = await h.api('POST', `/admin/initiatives/${i.id}/mirror`, { connectorId: 'snow' });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect(m.body).toMatchObject({ connectorId: 'snow', status: 'done', key: expect.stringMatching(/^PRB\d{7}$/), url: expect.stringContaining('/nav_to.do?uri=problem.do') });
    const problems = h.sim.table('problem');
    expect(problems).toHaveLength(1);
    const prb = problems[0]!;
    expect(prb.correlation_id).toMatch(new RegExp(`^FB-I${i.id}-[0-9a-f]{8}$`));
    expect(prb.short_description).toBe('Improvement: Stabilise the VPN');
    expect(prb.description).toContain(`${h.te.config.PUBLIC_URL}/admin/initiatives/${i.id}`);
    expect(prb.description).toContain(`Ref ${prb.correlation_id}`);
    expect(prb.description).toContain('Concentrator overloaded');
    // Again: the same record, nothing new; another connector is refused.
    const again = await h.api('POST', `/admin/initiatives/${i.id}/mirror`, { connectorId: 'snow' });
    expect([again.status, again.body.key]).toEqual([200, m.body.key]);
    expect((await h.api('POST', `/admin/initiatives/${i.id}/mirror`, { connectorId: 'jira' })).body.message).toBe(`initiative ${i.id} is already mirrored through connector snow as ${m.body.key}`);
    expect(h.sim.table('problem')).toHaveLength(1);
    expect((await h.api('GET', `/admin/initiatives/${i.id}`)).body.mirror).toEqual({ connectorId: 'snow', status: 'done', key: m.body.key, url: m.body.url, externalId: prb.sys_id, lastError: null });

    // A first attempt created the record and its process died before recording it: the claim lapses,
    // the next attempt looks for the marker first and adopts the record instead of creating a second.
    const j = await h.api('POST', '/admin/initiatives', { title: 'Faster laptop hand-over', owner: 'Sam', team: 'snow:g-Network', status: 'in_progress', startDate: '2026-11-02' });
    const first = await h.api('POST', `/admin/initiatives/${j.body.id}/mirror`, { connectorId: 'snow' });
    expect(first.status).toBe(201);
    await sql`UPDATE initiative_mirrors SET status = 'claimed', external_id = NULL, external_key = NULL, url = NULL, claimed_at = now() WHERE initiative_id = ${j.body.id}`.execute(h.te.db);
    // Someone else's claim is still fresh: 409, nothing written.
    expect((await h.api('POST', `/admin/initiatives/${j.body.id}/mirror`, { connectorId: 'snow' })).status).toBe(409);
    await sql`UPDATE initiative_mirrors SET claimed_at = now() - interval '1 hour' WHERE initiative_id = ${j.body.id}`.execute(h.te.db);
    const adopted = await h.api('POST', `/admin/initiatives/${j.body.id}/mirror`, { connectorId: 'snow' });
    expect([adopted.status, adopted.body.key]).toEqual([201, first.body.key]);
    expect(h.sim.table('problem')).toHaveLength(2);
  });

  it('mirrors an initiative as a Jira issue in the configured project, with bodies that conform to the OpenAPI file', async () => {
    const k = await h.api('POST', '/admin/initiatives', { title: 'Self-service password reset', owner: 'Dana', status: 'in_progress', startDate: '2026-11-16', themes: ['password reset'], publicSummary: 'Reset your password yourself.' });
    const m = await h.api('POST', `/admin/initiatives/${k.body.id}/mirror`, { connectorId: 'jira' });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect(m.body.key).toMatch(/^IMP-\d+$/);
    expect(m.body.url).toBe(`${proxy.url}/browse/${m.body.key}`);
    const issue = jira.issue(m.body.key);
    expect(issue.fields.issuetype.name).toBe('Task');
    expect(issue.fields.labels).toEqual(['improvement-initiative', expect.stringMatching(new RegExp(`^FB-I${k.body.id}-[0-9a-f]{8}$`))]);
    expect(adfToText(issue.fields.description)).toContain(`/admin/initiatives/${k.body.id}`);
    // Lapsed claim after the issue was created: the retry finds it by its label.
    await sql`UPDATE initiative_mirrors SET status = 'claimed', claimed_at = now() - interval '1 hour' WHERE initiative_id = ${k.body.id}`.execute(h.te.db);
    const again = await h.api('POST', `/admin/initiatives/${k.body.id}/mirror`, { connectorId: 'jira' });
    expect([again.status, again.body.key]).toEqual([201, m.body.key]);
    expect(jira.issues().filter((x: any) => x.fields.project.key === 'IMP')).toHaveLength(1);

    const writes = proxy.captured.filter((c) => c.method === 'POST');
    expect(new Set(writes.map((w) => `${w.method} ${pathTemplate(w.path)}`))).toEqual(new Set(['POST /rest/api/3/issue', 'POST /rest/api/3/search/jql']));
    expect(writes.map((w) => validateJiraRequest(w.method, pathTemplate(w.path), w.body)).flat()).toEqual([]);
    expect(jira.stats().invalidBodies).toEqual([]);
  });
});
