import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { marker } from '../src/lib/markers.js';
import { decideClosure } from '../src/pipeline/stages/decide.js';
import { recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer } from '../src/store/responses.js';
import { startHarness, type Harness } from './support/harness.js';

/** GET /admin/answers: paged by cursor, filterable, validated, and naming no requester. */
const snapshot = (i: number, group: string): TicketSnapshot => ({
  externalId: `t${i}`, key: `INC${1000 + i}`, title: `Ticket ${i}`, category: null, subcategory: null, priority: null, state: '7', isClosed: true,
  closedAt: new Date(Date.now() - 60_000), closeCode: null, assignmentGroupId: group, assignmentGroupName: `Group ${group}`, assigneeId: 'agent', assigneeName: 'Agent',
  resolverId: 'agent', resolverName: 'Agent', requester: { externalId: `p${i}`, email: `person${i}@example.com`, name: `Person Number${i}`, locale: null, timeZone: null },
  openedAt: null, updatedAt: new Date(),
});

describe('GET /admin/answers', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness({ ROLES: 'api' });
    // Two connectors with different detractor thresholds (CSAT ≤ 2 and ≤ 3).
    for (const [id, csat] of [['snow-a', 2], ['snow-b', 3]] as const) {
      await h.service.ctx.connectors.save(connectorDefinitionSchema.parse({ id, name: id, kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, followUp: { detractorMax: { csat } } }));
    }
    // snow-a: scores 1..5 in group g1 (t0..t4); snow-b: scores 1..5 in group g2 (t5..t9).
    for (const [connector, offset, group] of [['snow-a', 0, 'g1'], ['snow-b', 5, 'g2']] as const) {
      const closures = await recordSnapshots(h.te.db, connector, [0, 1, 2, 3, 4].map((k) => snapshot(offset + k, group)), 'webhook');
      for (const c of closures) expect(await decideClosure(h.service.ctx, c)).toMatchObject({ decision: { outcome: 'survey' } });
    }
    await sql`UPDATE surveys SET status = 'sent', sent_at = now(), expires_at = now() + interval '28 days'`.execute(h.te.db);
    const surveys = await h.te.db.selectFrom('surveys as s').innerJoin('tickets as t', 't.id', 's.ticket_id').select(['s.id', 't.external_id']).execute();
    for (const s of surveys.sort((a, b) => a.external_id.localeCompare(b.external_id, 'en', { numeric: true }))) {
      const score = (Number(s.external_id.slice(1)) % 5) + 1;
      const rid = await drawResponseId(h.te.db);
      await recordAnswer(h.te.db, s.id, rid, { score, comment: `comment on ${s.external_id}`, flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 60 }, marker(h.te.config.SECRET_KEY, 'A', rid));
      ids[s.external_id] = rid;
    }
    // t0 changed their mind: 1 → 4 (the 1 stays in the history).
    const t0 = surveys.find((s) => s.external_id === 't0')!;
    const rid = await drawResponseId(h.te.db);
    await recordAnswer(h.te.db, t0.id, rid, { score: 4, comment: 'fixed after all', flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 90 }, marker(h.te.config.SECRET_KEY, 'A', rid));
    // t9 answered long ago.
    await sql`UPDATE responses SET submitted_at = '2026-01-10T12:00:00Z' WHERE id = ${ids.t9}`.execute(h.te.db);
  }, 60_000);
  afterAll(() => h?.close());

  const get = async (qs: string) => h.api('GET', `/admin/answers${qs}`);
  const tickets = (body: any) => body.answers.map((a: any) => a.ticket.id).sort((a: string, b: string) => a.localeCompare(b, 'en', { numeric: true }));

  it('lists the answers that stand, newest first, without the requester\'s email or name', async () => {
    const r = await get('');
    expect(r.status).toBe(200);
    expect(r.body.answers).toHaveLength(10);
    expect(r.body.nextCursor).toBeNull();
    const t0 = r.body.answers.find((a: any) => a.ticket.id === 't0');
    expect(t0).toMatchObject({ connectorId: 'snow-a', ticket: { key: 'INC1000' }, team: { key: 'snow-a:g1', name: 'Group g1' }, scale: 'csat', score: 4, label: 'Satisfied', detractor: false, comment: 'fixed after all', active: true });
    const ordered = r.body.answers.map((a: any) => Number(a.id));
    expect(ordered).toEqual([...ordered].sort((a, b) => b - a));
    const json = JSON.stringify(r.body);
    expect(json).not.toMatch(/@example\.com|Person Number/);
  });

  it('pages with limit and cursor, every answer once', async () => {
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (;;) {
      const r = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      pages++;
      seen.push(...r.body.answers.map((a: any) => a.id));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(10);
  });

  it('filters by connector, team, score range, detractor (each connector\'s threshold) and time; history on request', async () => {
    expect(tickets((await get('?connector=snow-b')).body)).toEqual(['t5', 't6', 't7', 't8', 't9']);
    expect(tickets((await get('?team=snow-a:g1')).body)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(tickets((await get('?minScore=2&maxScore=3')).body)).toEqual(['t1', 't2', 't6', 't7']);
    // snow-a: 2 is a detractor (1 was changed to 4); snow-b: 1, 2 and 3 are.
    expect(tickets((await get('?detractor=true')).body)).toEqual(['t1', 't5', 't6', 't7']);
    expect(tickets((await get('?detractor=false&connector=snow-b')).body)).toEqual(['t8', 't9']);
    expect(tickets((await get('?from=2026-01-10&to=2026-01-10')).body)).toEqual(['t9']);
    expect(tickets((await get('?to=2026-01-10T11:59:59Z')).body)).toEqual([]);
    const history = (await get('?history=true&connector=snow-a')).body.answers.filter((a: any) => a.ticket.id === 't0');
    expect(history.map((a: any) => [a.score, a.active])).toEqual([[4, true], [1, false]]);
  });

  it('GET /admin/surveys pages with limit and before', async () => {
    const first = await h.api('GET', '/admin/surveys?limit=4');
    expect(first.body.surveys).toHaveLength(4);
    const next = await h.api('GET', `/admin/surveys?limit=10&before=${first.body.surveys.at(-1).id}`);
    expect(next.body.surveys).toHaveLength(6);
    expect(new Set([...first.body.surveys, ...next.body.surveys].map((s: any) => s.id)).size).toBe(10);
    expect((await h.api('GET', '/admin/surveys?before=x')).status).toBe(400);
  });

  it('answers 400 naming the bad parameter', async () => {
    for (const [qs, param] of [
      ['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?minScore=abc', 'minScore'], ['?maxScore=11', 'maxScore'], ['?detractor=maybe', 'detractor'],
      ['?from=2026-02-30', 'from'], ['?to=yesterday', 'to'], ['?cursor=abc', 'cursor'], ['?connector=NOPE', 'connector'], ['?connector=unknown', 'connector'],
      ['?team=nocolon', 'team'], ['?minScore=4&maxScore=2', 'minScore'], ['?from=2026-02-02&to=2026-02-01', 'from'], ['?colour=red', 'colour'], ['?connector=a%00b', 'connector'],
    ] as const) {
      const r = await get(qs);
      expect({ qs, status: r.status }).toEqual({ qs, status: 400 });
      expect(r.body.message).toMatch(new RegExp(`^${param}: `));
    }
    expect((await h.api('GET', '/admin/answers', undefined, { token: null })).status).toBe(401);
  });
});
