import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys } from '../src/analytics/history.js';
import { applyTargetsFile } from '../src/targets/apply-file.js';
import { pastSurvey, spread } from './support/acting-data.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';
import { spawnMain } from './support/process.js';

/**
 * Targets over a seeded October 2026 (previous month: September), against figures worked out by hand
 * (Wilson 95% for shares, adjusted Wald for NPS; Python, rounded to 0.01):
 *   Service Desk (snow, CSAT, followUp.dueHours 24), judged by the default (csat 90, responseRate 45, followUpOnTime 80):
 *     October: 30 sent, 20 answered, 15 of them 4–5 → CSAT 75 (53.13–88.81) → missed;
 *       response rate 66.67 (48.78–80.77) → met; 5 detractors' tasks closed 2 h, 2 h, 2 h, 30 h after the
 *       answer, one still open → on time 3/5 = 60 (23.07–88.24) → at risk. Team: missed.
 *     September: 20 sent, 10 answered, 6 of them 4–5 → CSAT 60, response rate 50: changes +15, +16.67.
 *   Network (nps connector, followUp.dueHours 48), its own target (nps 20, responseRate 85, followUpOnTime 30):
 *     October: 25 sent, 20 answered: 10 promoters, 5 passives, 5 detractors → NPS 25 (−11.72–55.19) → at risk;
 *       response rate 80 (60.87–91.14) → at risk; tasks closed 10 h, 30 h, 30 h, 47 h, 50 h → 4/5 within
 *       48 h = 80 (37.55–96.38) → met (with 24 h it would be 1/5). Team: at risk.
 *   Tiny (snow): 2 answers → too few to judge.
 */
describe('targets: API, file, status over a seeded dataset', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' } }))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id: 'nps', survey: { scale: 'nps' }, followUp: { dueHours: 48 }, intake: { mode: 'push' } }))).status).toBe(201);
    const octSd = [
      ...spread('2026-10-01', 28, 15, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, 5)),
      ...[2, 2, 2, 30, null].map((hours, i) => pastSurvey('snow', 'csat', 'Service Desk', `2026-10-1${i}T10:00:00`, 2, { closedAfterHours: hours })),
      ...spread('2026-10-01', 28, 10, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, null)),
    ];
    const sepSd = [
      ...spread('2026-09-01', 28, 6, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, 4)),
      ...spread('2026-09-01', 28, 4, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, 3)),
      ...spread('2026-09-01', 28, 10, (s) => pastSurvey('snow', 'csat', 'Service Desk', s, null)),
    ];
    const octNet = [
      ...spread('2026-10-01', 28, 10, (s, i) => pastSurvey('nps', 'nps', 'Network', s, i % 2 ? 9 : 10)),
      ...spread('2026-10-01', 28, 5, (s, i) => pastSurvey('nps', 'nps', 'Network', s, i % 2 ? 7 : 8)),
      ...[10, 30, 30, 47, 50].map((hours, i) => pastSurvey('nps', 'nps', 'Network', `2026-10-2${i}T10:00:00`, i, { closedAfterHours: hours })),
      ...spread('2026-10-01', 28, 5, (s) => pastSurvey('nps', 'nps', 'Network', s, null)),
    ];
    const tiny = [pastSurvey('snow', 'csat', 'Tiny', '2026-10-03T10:00:00', 5), pastSurvey('snow', 'csat', 'Tiny', '2026-10-04T10:00:00', 5)];
    await insertPastSurveys(h.te.db, [...octSd, ...sepSd, ...octNet, ...tiny]);
  });
  afterAll(() => h?.close());

  it('CRUD with clear 4xx: fields named, 404 for none, 409 for a duplicate, teams by key or by name', async () => {
    expect((await h.api('GET', '/admin/targets')).body).toEqual({ targets: [] });
    const bad = await h.api('POST', '/admin/targets', { team: 'default', period: 'year', csat: 120, nps: 'high' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('period: must be one of week, month, quarter; csat: must be at most 100; nps: must be a number from -100 to 100');
    expect((await h.api('POST', '/admin/targets', { team: 'default' })).body.message).toBe('csat: set at least one of csat, nps, responseRate, followUpOnTime');
    expect((await h.api('POST', '/admin/targets', { team: 'default', csat: 80, colour: 'red' })).body.message).toMatch(/^\(body\): Unrecognized key: "colour"/);
    expect((await h.api('POST', '/admin/targets', { team: 'Nobody', csat: 80 })).body.message).toMatch(/^team: no team is called "Nobody"/);

    const created = await h.api('POST', '/admin/targets', { team: 'default', period: 'month', csat: 90, responseRate: 45, followUpOnTime: 80 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ team: 'default', teamLabel: null, period: 'month', csat: 90, nps: null, responseRate: 45, followUpOnTime: 80 });
    expect((await h.api('POST', '/admin/targets', { team: 'default', csat: 85 })).status).toBe(409);
    // By name: the one team called "Network" (its key is nps:g-Network).
    const net = await h.api('POST', '/admin/targets', { team: 'network', nps: 20, responseRate: 85, followUpOnTime: 30 });
    expect(net.status).toBe(201);
    expect(net.body).toMatchObject({ team: 'nps:g-Network', teamLabel: 'Network', period: 'month' });

    const key = encodeURIComponent('snow:g-Tiny');
    expect((await h.api('GET', `/admin/targets/${key}`)).status).toBe(404);
    expect((await h.api('PUT', `/admin/targets/${key}`, { csat: 50, period: 'week' })).status).toBe(201);
    const replaced = await h.api('PUT', `/admin/targets/${key}`, { csat: 55.555 });
    expect([replaced.status, replaced.body.action, replaced.body.csat, replaced.body.period]).toEqual([200, 'updated', 55.56, 'month']);
    expect((await h.api('PUT', `/admin/targets/${key}`, { csat: 55.56 })).body.action).toBe('unchanged');
    expect((await h.api('GET', '/admin/targets/Tiny')).body.message).toMatch(/^team: "Tiny" is neither "default" nor a team key/);
    expect((await h.api('DELETE', `/admin/targets/${key}`)).status).toBe(204);
    expect((await h.api('DELETE', `/admin/targets/${key}`)).status).toBe(404);
    expect((await h.api('GET', '/admin/targets/default')).body.csat).toBe(90);
    // Changes need the Bearer token; reads take the Basic password too.
    expect((await h.api('PUT', '/admin/targets/default', { csat: 1 }, { token: null })).status).toBe(401);
    const basic = await h.service.app!.inject({ method: 'GET', url: '/admin/targets', headers: { authorization: `Basic ${Buffer.from(`x:${h.te.config.ADMIN_TOKEN}`).toString('base64')}` } });
    expect(basic.statusCode).toBe(200);
  });

  it('status: every figure, interval, change and verdict as worked out by hand', async () => {
    const r = await h.api('GET', '/admin/targets/status?date=2026-10-20');
    expect(r.status).toBe(200);
    expect(r.body.teams.map((t: any) => [t.team.label, t.targetOf, t.status])).toEqual([
      ['Service Desk', 'default', 'missed'],
      ['Network', 'team', 'at_risk'],
      ['Tiny', 'default', 'too_few'],
    ]);
    const [sd, net, tiny] = r.body.teams;
    expect(sd.current).toEqual({ from: '2026-10-01', to: '2026-10-31', days: 31, daysElapsed: 31, complete: true });
    expect(sd.previous).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    expect(sd.metrics).toEqual([
      { metric: 'csat', target: 90, current: { value: 75, low: 53.13, high: 88.81, n: 20 }, previous: { value: 60, low: 31.27, high: 83.18, n: 10 }, change: 15, status: 'missed' },
      { metric: 'responseRate', target: 45, current: { value: 66.67, low: 48.78, high: 80.77, n: 30 }, previous: { value: 50, low: 29.93, high: 70.07, n: 20 }, change: 16.67, status: 'met' },
      { metric: 'followUpOnTime', target: 80, current: { value: 60, low: 23.07, high: 88.24, n: 5 }, previous: null, change: null, status: 'at_risk' },
    ]);
    expect(net.metrics).toEqual([
      { metric: 'nps', target: 20, current: { value: 25, low: -11.72, high: 55.19, n: 20 }, previous: null, change: null, status: 'at_risk' },
      { metric: 'responseRate', target: 85, current: { value: 80, low: 60.87, high: 91.14, n: 25 }, previous: null, change: null, status: 'at_risk' },
      { metric: 'followUpOnTime', target: 30, current: { value: 80, low: 37.55, high: 96.38, n: 5 }, previous: null, change: null, status: 'met' },
    ]);
    expect(tiny.metrics.every((m: any) => m.current === null && m.status === 'too_few')).toBe(true);

    // Scoped to one connector, or one team; a bad date is a 400 naming it.
    expect((await h.api('GET', '/admin/targets/status?date=2026-10-20&connector=nps')).body.teams.map((t: any) => t.team.key)).toEqual(['nps:g-Network']);
    expect((await h.api('GET', `/admin/targets/status?date=2026-10-20&team=${encodeURIComponent('snow:g-Service Desk')}`)).body.teams).toHaveLength(1);
    expect((await h.api('GET', '/admin/targets/status?date=2026-13-01')).body.message).toBe('date: is not a calendar date');
  });

  it('change against the previous period of equal length, for every headline figure', async () => {
    // October (31 days) against 2026-08-31 … 2026-09-30. October: CSAT 17 of 22 (Service Desk 15/20, Tiny 2/2) = 77.27%;
    // NPS 25; 42 of 57 surveys answered = 73.68%; detractors 5 + 5; follow-ups on time 3 + 4 of 10 = 70%.
    // September: CSAT 6/10 = 60%, 10 of 20 answered = 50%, no detractor (3s are not), no follow-up, no NPS.
    const r = await h.api('GET', '/admin/stats/change?from=2026-10-01&to=2026-10-31');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      current: { from: '2026-10-01', to: '2026-10-31' },
      previous: { from: '2026-08-31', to: '2026-09-30' },
      figures: [
        { figure: 'csat', current: 77.27, previous: 60, change: 17.27, n: { current: 22, previous: 10 } },
        { figure: 'nps', current: 25, previous: null, change: null, n: { current: 20, previous: 0 } },
        { figure: 'ces', current: null, previous: null, change: null, n: { current: 0, previous: 0 } },
        { figure: 'responseRate', current: 73.68, previous: 50, change: 23.68, n: { current: 57, previous: 20 } },
        { figure: 'detractors', current: 10, previous: 0, change: 10, n: { current: 42, previous: 10 } },
        { figure: 'followUpOnTime', current: 70, previous: null, change: null, n: { current: 10, previous: 0 } },
      ],
    });
    expect((await h.api('GET', '/admin/stats/change?from=2026-10-01&to=2026-10-31&agent=snow:a-1')).status).toBe(400);
    expect((await h.api('GET', '/admin/stats/change?from=2026-10-31&to=2026-10-01')).body.message).toBe('from: must be on or before to');
  });

  it('targets apply: declarative, explains what changes, changes nothing when an entry is wrong', async () => {
    const db = h.te.db;
    const file = `targets:\n  - { team: default, period: month, csat: 88, responseRate: 45, followUpOnTime: 80 }\n  - { team: Network, nps: 20, responseRate: 85, followUpOnTime: 30 }\n  - { team: "snow:g-Tiny", period: quarter, csat: 70 }\n`;
    const dry = await applyTargetsFile(db, file, { dryRun: true, prune: false });
    expect(dry).toEqual({ ok: true, lines: ['(dry run) ~ updated default: csat 90 → 88', '(dry run) = unchanged nps:g-Network', '(dry run) + created snow:g-Tiny'] });
    expect((await h.api('GET', '/admin/targets/default')).body.csat).toBe(90);
    const bad = await applyTargetsFile(db, `${file}  - { team: Tiny, csat: 101 }\n  - { team: Nowhere, csat: 50 }\n`, { dryRun: false, prune: false });
    expect(bad.ok).toBe(false);
    expect(bad.lines).toEqual(['targets[3] (Tiny): csat: must be at most 100', 'targets[4] (Nowhere): team: no team is called "Nowhere"; give its key as the stats API shows it (<connector>:<group>)', 'nothing was changed']);
    expect((await h.api('GET', '/admin/targets/default')).body.csat).toBe(90);
    expect((await applyTargetsFile(db, `${file}  - { team: Tiny, csat: 50 }\n`, { dryRun: false, prune: false })).lines.at(-2)).toBe('targets[3] (Tiny): team snow:g-Tiny is already given by targets[2]');

    // Through the real CLI: applied, then the same file again changes nothing; --prune removes what the file leaves out.
    const dir = mkdtempSync(join(tmpdir(), 'targets-'));
    writeFileSync(join(dir, 'targets.yaml'), file);
    const first = spawnMain(['targets', 'apply', join(dir, 'targets.yaml')], h.te.env);
    expect((await first.exited).code, first.output()).toBe(0);
    expect(first.output()).toBe('~ updated default: csat 90 → 88\n= unchanged nps:g-Network\n+ created snow:g-Tiny\n');
    writeFileSync(join(dir, 'two.json'), JSON.stringify([{ team: 'default', period: 'month', csat: 88, responseRate: 45, followUpOnTime: 80 }, { team: 'nps:g-Network', nps: 20, responseRate: 85, followUpOnTime: 30 }]));
    const pruned = spawnMain(['targets', 'apply', join(dir, 'two.json'), '--prune'], h.te.env);
    expect((await pruned.exited).code, pruned.output()).toBe(0);
    expect(pruned.output()).toBe('= unchanged default\n= unchanged nps:g-Network\n- deleted snow:g-Tiny (not in the file)\n');
    expect((await h.api('GET', '/admin/targets')).body.targets.map((t: any) => t.team)).toEqual(['default', 'nps:g-Network']);
  }, 60_000);
});
