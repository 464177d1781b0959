import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys } from '../src/analytics/history.js';
import { pastSurvey } from './support/acting-data.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';
import { spawnMain } from './support/process.js';

/** Non-survey feedback: CSV and JSON import against real Postgres, themes with it, and never in a score. */
describe('imported feedback', () => {
  let h: Harness;
  const range = 'from=2026-10-01&to=2026-10-31';
  const csv = (body: string, query = '') => h.service.app!.inject({ method: 'POST', url: `/admin/feedback/import${query}`, headers: { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}`, 'content-type': 'text/csv; charset=utf-8' }, payload: body });
  const items = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM feedback_items`.execute(h.te.db)).rows[0]!.n);
  /** Every survey figure the product shows, as JSON. */
  const figures = async () => {
    const out: Record<string, unknown> = {};
    for (const url of [`/admin/stats?${range}&groupBy=team&interval=week`, `/admin/stats?${range}&groupBy=category`, `/admin/stats/follow-ups?${range}`, '/admin/targets/status?date=2026-10-20', `/admin/export/stats.csv?${range}&groupBy=team&interval=week`]) {
      out[url] = (await h.api('GET', url)).body;
    }
    return out;
  };

  beforeAll(async () => {
    h = await startHarness();
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' } }))).status).toBe(201);
    await insertPastSurveys(h.te.db, [
      pastSurvey('snow', 'csat', 'Network', '2026-10-05T09:00:00', 2, { comment: 'VPN drops every hour' }),
      pastSurvey('snow', 'csat', 'Network', '2026-10-06T09:00:00', 5, { comment: 'VPN fixed, thanks' }),
      pastSurvey('snow', 'csat', 'Service Desk', '2026-10-07T09:00:00', 4, { comment: 'Password reset was quick' }),
      pastSurvey('snow', 'csat', 'Service Desk', '2026-10-08T09:00:00', 1, { comment: 'Password reset took days', closedAfterHours: 3 }),
    ]);
    await h.api('PUT', '/admin/targets/default', { csat: 80, responseRate: 50, followUpOnTime: 90 });
  });
  afterAll(() => h?.close());

  it('imports a CSV file: teams by name or key, scores with their scale; importing it again changes nothing', async () => {
    const file = [
      'source,kind,date,team,category,score,scale,text,external_id',
      'Q4 focus group Berlin,focus_group,2026-10-10,Network,network,2,csat,"VPN drops in the Berlin office, every hour",fg-1',
      'Interview with finance,interview,2026-10-12,snow:g-Service Desk,,8,1-10,"Password reset by phone would help",',
      'Coffee corner,hallway,2026-10-15,,,,,"Nobody knows where to report VPN problems",',
    ].join('\r\n');
    const r = await csv(file);
    expect(r.statusCode, r.body).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ received: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0, imported: true, errors: [] });
    const list = (await h.api('GET', '/admin/feedback/items')).body.items;
    expect(list.map((i: any) => [i.kind, i.team?.label ?? null, i.score])).toEqual([
      ['hallway', null, null],
      ['interview', 'Service Desk', { value: 8, scale: 'range', min: 1, max: 10 }],
      ['focus_group', 'Network', { value: 2, scale: 'csat', min: 1, max: 5 }],
    ]);
    expect(JSON.parse((await csv(file)).body)).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    // The row with an external id was corrected at its source: its item is updated, not doubled.
    const corrected = JSON.parse((await csv(file.replace('every hour",fg-1', 'every hour or two",fg-1'))).body);
    expect(corrected).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    expect(await items()).toBe(3);
    expect((await h.api('GET', `/admin/feedback/items?kind=focus_group`)).body.items[0].text).toBe('VPN drops in the Berlin office, every hour or two');
  });

  it('refuses a file with bad rows as a whole, naming each line and field; partial=true keeps the good rows', async () => {
    const before = await items();
    const file = [
      'source,kind,date,team,text',
      'Survey tool export,other_tool,2026-10-20,Network,"Wifi slow on the 3rd floor"',
      'Survey tool export,other_tool,2026-10-32,Network,"Wifi drops"',
      '"Two-line',
      'source",other_tool,2026-10-21,Nowhere,"Printer jams"',
      'Survey tool export,meeting,2026-10-22,,""',
    ].join('\n');
    const r = await csv(file);
    expect(r.statusCode).toBe(400);
    const body = JSON.parse(r.body);
    expect(body.message).toBe(
      '3 of 4 rows are invalid; nothing was imported (add ?partial=true to import the valid ones): line 3: date: is not a calendar date; line 4: team: no team is called "Nowhere"; give its key as the stats API shows it (<connector>:<group>); line 6: kind: must be one of focus_group, interview, hallway, other_tool, other; line 6: text: is required (what was said)',
    );
    expect(body.details.errors).toEqual([
      { line: 3, field: 'date', message: 'is not a calendar date' },
      { line: 4, field: 'team', message: 'no team is called "Nowhere"; give its key as the stats API shows it (<connector>:<group>)' },
      { line: 6, field: 'kind', message: 'must be one of focus_group, interview, hallway, other_tool, other' },
      { line: 6, field: 'text', message: 'is required (what was said)' },
    ]);
    expect(await items()).toBe(before);
    const partial = await csv(file, '?partial=true');
    expect(partial.statusCode).toBe(200);
    expect(JSON.parse(partial.body)).toMatchObject({ received: 4, inserted: 1, rejected: 3, imported: true });
    expect(await items()).toBe(before + 1);
  });

  it('answers 4xx for a body that is not a usable CSV', async () => {
    expect(JSON.parse((await csv('source,kind,date,text,mood\nx,other,2026-10-01,t,happy\n')).body).message).toBe(
      'nothing was imported: line 1: unknown column "mood"; the columns are source, kind, date, team, category, score, scale, text, external_id',
    );
    expect(JSON.parse((await csv('source,kind,date,text\n')).body).message).toBe('nothing was imported: line 2: the file has a header but no rows');
    expect((await csv('')).statusCode).toBe(400);
    expect(JSON.parse((await csv('source,kind,date,text\nx,other,2026-10-01,t\n', '?partial=yes')).body).message).toBe('partial: must be true or false');
    const plain = await h.service.app!.inject({ method: 'POST', url: '/admin/feedback/import', headers: { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}`, 'content-type': 'text/plain' }, payload: 'x' });
    expect(plain.statusCode).toBe(415);
    const huge = await csv(`source,kind,date,text\n${'x,other,2026-10-01,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(25_000)}`);
    expect(huge.statusCode).toBe(413);
    const noAuth = await h.service.app!.inject({ method: 'POST', url: '/admin/feedback/import', headers: { 'content-type': 'text/csv' }, payload: 'x' });
    expect(noAuth.statusCode).toBe(401);
  });

  it('takes JSON batches too, with errors by index', async () => {
    const bad = await h.api('POST', '/admin/feedback/items', {
      items: [
        { source: 'Teams chat', kind: 'other_tool', date: '2026-10-23', text: 'Laptop handover was smooth' },
        { source: 'Teams chat', kind: 'other_tool', date: 'yesterday', text: 'x' },
        { source: 'Teams chat', kind: 'other_tool', date: '2026-10-23', text: 'x', score: 3 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.errors).toEqual([
      { index: 1, field: 'date', message: 'must be a date like 2026-11-22' },
      { index: 2, field: 'scale', message: 'is required with a score (csat, nps, ces or a range like 1-10)' },
    ]);
    expect(bad.body.message).toMatch(/^2 of 3 rows are invalid; nothing was imported .*: items\[1\]: date: must be a date like 2026-11-22; items\[2\]: scale: is required/);
    const ok = await h.api('POST', '/admin/feedback/items', [{ source: 'Teams chat', kind: 'other_tool', date: '2026-10-23', text: 'Laptop handover was smooth', team: 'Service Desk' }]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ inserted: 1, ids: [expect.stringMatching(/^\d+$/)] });
    expect((await h.api('POST', '/admin/feedback/items', { nope: 1 })).body.message).toBe('nothing was imported: items: the body must be {"items": [...]} or a list of items');
    expect((await h.api('DELETE', `/admin/feedback/items/${ok.body.ids[0]}`)).status).toBe(204);
    expect((await h.api('DELETE', `/admin/feedback/items/${ok.body.ids[0]}`)).status).toBe(404);
    expect((await h.api('GET', '/admin/feedback/items?kind=party')).body.message).toBe('kind: must be one of focus_group, interview, hallway, other_tool, other');
  });

  it('never mixes into survey scores: importing scored items leaves every CSAT, NPS and CES figure unchanged', async () => {
    const before = await figures();
    const rows = Array.from({ length: 30 }, (_, i) => `Kiosk,other_tool,2026-10-${String(1 + (i % 28)).padStart(2, '0')},Service Desk,general,${1 + (i % 5)},csat,"Kiosk rating ${i}",kiosk-${i}`);
    rows.push(...Array.from({ length: 10 }, (_, i) => `Kiosk,other_tool,2026-10-0${1 + (i % 9)},Network,,${i},nps,"Kiosk NPS ${i}",kiosk-nps-${i}`));
    const r = await csv(['source,kind,date,team,category,score,scale,text,external_id', ...rows].join('\n'));
    expect(JSON.parse(r.body)).toMatchObject({ inserted: 40 });
    expect(await figures()).toEqual(before);
  });

  it('joins theme analysis marked with its source, and can be left out or shown alone', async () => {
    const include = (await h.api('GET', `/admin/stats/themes?${range}`)).body;
    const vpn = include.overall.terms.find((t: any) => t.term === 'vpn');
    // Two survey comments and two imported items (the Berlin focus group, the coffee corner) say "vpn".
    expect(vpn).toMatchObject({ count: 4, imported: 2 });
    expect(include.sources).toMatchObject({ focus_group: 1, hallway: 1 });
    const network = include.groups.find((g: any) => g.label === 'Network');
    expect(network.terms.find((t: any) => t.term === 'vpn')).toMatchObject({ count: 3, imported: 1 });
    const exclude = (await h.api('GET', `/admin/stats/themes?${range}&imported=exclude`)).body;
    expect(exclude.overall.terms.find((t: any) => t.term === 'vpn')).toMatchObject({ count: 2, imported: 0 });
    expect(exclude.overall.comments).toBe(4);
    const only = (await h.api('GET', `/admin/stats/themes?${range}&imported=only`)).body;
    expect(only.overall.imported).toBe(only.overall.comments);
    expect((await h.api('GET', `/admin/stats/themes?${range}&imported=maybe`)).body.message).toBe('imported: must be one of include, exclude, only');
  });

  it('feedback import through the CLI: prints what was stored, or each line that is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedback-'));
    writeFileSync(join(dir, 'ok.csv'), 'source,kind,date,text\nTown hall,focus_group,2026-10-30,"More self-service please"\n');
    writeFileSync(join(dir, 'bad.csv'), 'source,kind,date,text\nTown hall,focus_group,2026-10-30,"More self-service please"\nTown hall,townhall,2026-10-30,x\n');
    const ok = spawnMain(['feedback', 'import', join(dir, 'ok.csv')], h.te.env);
    expect((await ok.exited).code, ok.output()).toBe(0);
    expect(ok.output()).toBe('1 rows: 1 new, 0 updated, 0 already there\n');
    const bad = spawnMain(['feedback', 'import', join(dir, 'bad.csv')], h.te.env);
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toBe('line 3: kind: must be one of focus_group, interview, hallway, other_tool, other\n1 of 2 rows are invalid; nothing was imported (--partial imports the valid ones)\n');
    const partial = spawnMain(['feedback', 'import', join(dir, 'bad.csv'), '--partial'], h.te.env);
    expect((await partial.exited).code).toBe(1);
    expect(partial.output()).toBe('line 3: kind: must be one of focus_group, interview, hallway, other_tool, other\n2 rows: 0 new, 0 updated, 1 already there, 1 refused\n');
  }, 60_000);
});
