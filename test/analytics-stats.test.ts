import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { wilson } from '../src/rules/scores.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * Stats over a small hand-made dataset, checked against figures worked out by hand (in the comments).
 * Range: 2026-10-05 (Mon) to 2026-10-18 (Sun), two ISO weeks.
 */
const at = (s: string) => new Date(`${s}Z`);
const MIN = 60_000;
const HOUR = 60 * MIN;
let n = 0;
function past(connectorId: string, scale: PastSurvey['scale'], team: string | null, agent: string | null, sent: string, score: number | null, extra: Partial<PastSurvey> & { comment?: string; category?: string } = {}): PastSurvey {
  n++;
  const sentAt = at(sent);
  return {
    connectorId,
    ticket: { externalId: `t${n}`, key: `INC${1000 + n}`, title: 'x', category: extra.category ?? 'hardware', priority: '3', groupId: team ? `g-${team}` : null, groupName: team, assigneeId: agent ? `a-${agent}` : null, assigneeName: agent ? `Agent ${agent}` : null },
    requester: { email: `person${n}@example.com`, name: `Person ${n}` },
    scale,
    sentAt,
    deliveredAt: null,
    answer: score === null ? null : { score, comment: extra.comment ?? null, submittedAt: new Date(sentAt.getTime() + HOUR) },
    ...extra,
  };
}

describe('analytics: stats API over a seeded dataset', () => {
  let h: Harness;
  const range = 'from=2026-10-05&to=2026-10-18';
  beforeAll(async () => {
    h = await startHarness();
    for (const [id, scale] of [['snow', 'csat'], ['nps', 'nps'], ['ces', 'ces']] as const) {
      const res = await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id, survey: { scale }, intake: { mode: 'push' } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const delivered = (s: PastSurvey) => ({ ...s, deliveredAt: new Date(s.sentAt.getTime() + 1000) });
    const rows: PastSurvey[] = [
      // CSAT, Service Desk. Week of 10-05: agent A 5, 5, 4, 3 (delivered). Week of 10-12: A 1 (detractor), B 5, B 2 (detractor), B unanswered.
      delivered(past('snow', 'csat', 'Service Desk', 'A', '2026-10-05T09:00:00', 5, { comment: 'VPN fixed quickly' })),
      delivered(past('snow', 'csat', 'Service Desk', 'A', '2026-10-06T09:00:00', 5)),
      delivered(past('snow', 'csat', 'Service Desk', 'A', '2026-10-07T09:00:00', 4)),
      delivered(past('snow', 'csat', 'Service Desk', 'A', '2026-10-08T09:00:00', 3, { comment: '=HYPERLINK("http://evil")' })),
      {
        ...delivered(past('snow', 'csat', 'Service Desk', 'A', '2026-10-12T09:00:00', 1, { comment: 'VPN still not fixed' })),
        // Task 3 min after the answer, closed 5 h after it, with an outcome.
        followUp: { createdAt: at('2026-10-12T10:03:00'), dueAt: at('2026-10-13T10:00:00'), closedAt: at('2026-10-12T15:00:00'), outcome: 'Called back' },
      },
      delivered(past('snow', 'csat', 'Service Desk', 'B', '2026-10-13T09:00:00', 5)),
      {
        ...past('snow', 'csat', 'Service Desk', 'B', '2026-10-14T09:00:00', 2, { comment: 'VPN drops, waited too long' }),
        // Task 40 min after the answer, closed 30 h after it: overdue and escalated.
        followUp: { createdAt: at('2026-10-14T10:40:00'), dueAt: at('2026-10-15T10:00:00'), closedAt: at('2026-10-15T16:00:00'), outcome: 'Replaced laptop', overdueAt: at('2026-10-15T10:00:00'), escalatedAt: at('2026-10-15T10:01:00') },
      },
      past('snow', 'csat', 'Service Desk', 'B', '2026-10-15T09:00:00', null),
      // CSAT, Hardware: two surveys, no answer (an empty group).
      past('snow', 'csat', 'Hardware', 'C', '2026-10-06T09:00:00', null),
      past('snow', 'csat', 'Hardware', 'C', '2026-10-07T09:00:00', null),
      // Outside the range: must never count.
      past('snow', 'csat', 'Service Desk', 'A', '2026-10-19T00:00:00', 1),
      past('snow', 'csat', 'Service Desk', 'A', '2026-10-04T23:59:59', 1),
      // NPS, Network: 0, 6, 7, 8, 9, 10, 10 and one unanswered, all agent N.
      ...[0, 6, 7, 8, 9, 10, 10, null].map((s, i) =>
        past('nps', 'nps', 'Network', 'N', `2026-10-0${5 + (i % 5)}T10:00:00`, s, {
          comment: s === 0 ? 'Waited too long' : undefined,
          // The 0 gets a task 2 min after the answer that is still open (due far ahead, so no SLA job runs now).
          followUp: s === 0 ? { createdAt: new Date(at(`2026-10-05T11:02:00`).getTime()), dueAt: at('2099-01-01T00:00:00'), closedAt: null, outcome: null } : null,
        }),
      ),
      // CES, Access: 7, 5, 2 (a detractor at ≤ 3, no task).
      ...[7, 5, 2].map((s) => past('ces', 'ces', 'Access', 'D', '2026-10-09T10:00:00', s, { category: 'access' })),
    ];
    await insertPastSurveys(h.te.db, rows);
    // A changed answer: the older one is kept but inactive, only the active 5 counts (survey of INC1002).
    const s2 = await h.te.db.selectFrom('surveys as s').innerJoin('tickets as t', 't.id', 's.ticket_id').select('s.id').where('t.external_key', '=', 'INC1002').executeTakeFirstOrThrow();
    await h.te.db.insertInto('responses').values({ survey_id: s2.id, score: 1, comment: 'first thought', submitted_at: at('2026-10-06T09:30:00'), is_active: false }).execute();
  });
  afterAll(() => h?.close());

  it('totals: funnel, CSAT top-two-box with Wilson interval, NPS, CES and detractors', async () => {
    const res = await h.api('GET', `/admin/stats?${range}`);
    expect(res.status).toBe(200);
    const t = res.body.total;
    // Sent: 8 Service Desk + 2 Hardware + 8 Network + 3 Access = 21; answered 7 + 0 + 7 + 3 = 17; delivered 6.
    expect(t.funnel).toEqual({ sent: 21, delivered: 6, answered: 17, responseRate: 17 / 21 });
    // CSAT 5,5,4,3,1,5,2: top-two 4 of 7.
    expect(t.csat).toEqual({ n: 7, topTwo: 4, share: 4 / 7, interval: wilson(4, 7) });
    expect(t.csat.interval.low).toBeCloseTo(0.2505, 3); // centre 0.5461 ∓ half-width 0.2957
    expect(t.csat.interval.high).toBeCloseTo(0.8418, 3);
    // NPS 0,6,7,8,9,10,10: (3 − 2) / 7 = +14.3.
    expect(t.nps).toEqual({ n: 7, promoters: 3, passives: 2, detractors: 2, score: 14.3, margin: 61.7, interval: { low: -47.4, high: 76 } });
    expect(t.ces).toEqual({ n: 3, mean: 4.67, margin: 6.25, interval: { low: 1, high: 7 } });
    // Detractors: CSAT 1, 2 + NPS 0, 6 + CES 2.
    expect(t.detractors).toBe(5);
  });

  it('by team: an empty group has a zero response rate and no scores', async () => {
    const res = await h.api('GET', `/admin/stats?${range}&groupBy=team`);
    const byLabel = Object.fromEntries(res.body.groups.map((g: any) => [g.label, g]));
    expect(Object.keys(byLabel).sort()).toEqual(['Access', 'Hardware', 'Network', 'Service Desk']);
    expect(byLabel.Hardware.funnel).toEqual({ sent: 2, delivered: 0, answered: 0, responseRate: 0 });
    expect([byLabel.Hardware.csat, byLabel.Hardware.nps, byLabel.Hardware.ces]).toEqual([null, null, null]);
    expect(byLabel['Service Desk'].funnel).toEqual({ sent: 8, delivered: 6, answered: 7, responseRate: 7 / 8 });
    expect(byLabel.Network.nps.score).toBe(14.3);
    expect(byLabel.Network.key).toBe('nps:g-Network');
  });

  it('by week: the series covers both weeks, with figures per week', async () => {
    const res = await h.api('GET', `/admin/stats?${range}&groupBy=team&interval=week&connector=snow`);
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    expect(sd.series.map((p: any) => p.period)).toEqual(['2026-10-05', '2026-10-12']);
    // Week 1: 5,5,4,3 → 3/4. Week 2: 1,5,2 answered of 4 sent → 1/3.
    expect(sd.series[0].csat).toMatchObject({ n: 4, topTwo: 3, share: 0.75 });
    expect(sd.series[1].csat).toMatchObject({ n: 3, topTwo: 1 });
    expect(sd.series[1].funnel).toMatchObject({ sent: 4, answered: 3, responseRate: 0.75 });
    expect(res.body.total.series).toHaveLength(2);
  });

  it('by agent: groups below the minimum size (5 answers) are withheld, periods too', async () => {
    const res = await h.api('GET', `/admin/stats?${range}&groupBy=agent&interval=week`);
    const byLabel = Object.fromEntries(res.body.groups.map((g: any) => [g.label, g]));
    // A: 5,5,4,3,1 → 3 of 5 top-two.
    expect(byLabel['Agent A'].hidden).toBeUndefined();
    expect(byLabel['Agent A'].csat).toMatchObject({ n: 5, topTwo: 3, share: 0.6 });
    for (const small of ['Agent B', 'Agent C', 'Agent D']) {
      expect(byLabel[small].hidden).toBe(true);
      expect(byLabel[small].csat ?? byLabel[small].ces).toBeNull();
      expect(byLabel[small].funnel.answered).toBe(0);
    }
    // Agent A's weeks have 4 and 1 answers: both withheld.
    expect(byLabel['Agent A'].series.every((p: any) => p.hidden)).toBe(true);
    expect(byLabel['Agent N'].nps.n).toBe(7);
    // Filtering the total down to one small agent withholds it as well.
    const one = await h.api('GET', `/admin/stats?${range}&agent=${encodeURIComponent('snow:a-B')}`);
    expect(one.body.total.hidden).toBe(true);
  });

  it('an empty scope answers zeros, not errors', async () => {
    const res = await h.api('GET', `/admin/stats?from=2025-01-01&to=2025-01-31&groupBy=team`);
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([]);
    expect(res.body.total.funnel).toEqual({ sent: 0, delivered: null, answered: 0, responseRate: null });
  });

  it('follow-up figures: tasks, created within 15 min, closed within 24 h, open, overdue, outcomes', async () => {
    const res = await h.api('GET', `/admin/stats/follow-ups?${range}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toMatchObject({ detractors: 5, tasksCreated: 3, createdQuickly: 2, createdQuicklyShare: 0.667, closedWithin24h: 1, closedWithin24hShare: 0.333, open: 1, overdue: 1, escalated: 1, outcomesRecorded: 2, withinMinutes: 15 });
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    expect(sd).toMatchObject({ detractors: 2, tasksCreated: 2, createdQuickly: 1, closedWithin24h: 1 });
    expect(res.body.recentOutcomes.map((o: any) => o.outcome)).toEqual(['Replaced laptop', 'Called back']);
    const wider = await h.api('GET', `/admin/stats/follow-ups?${range}&withinMinutes=60`);
    expect(wider.body.total.createdQuickly).toBe(3);
    expect((await h.api('GET', `/admin/stats/follow-ups?${range}&groupBy=agent`)).status).toBe(400);
  });

  it('themes: counts per comment, per team against all teams', async () => {
    const res = await h.api('GET', `/admin/stats/themes?${range}`);
    expect(res.status).toBe(200);
    // Comments in range: SD "VPN fixed quickly", "=HYPERLINK…", "VPN still not fixed", "VPN drops, waited too long"; Network "Waited too long".
    expect(res.body.overall.comments).toBe(5);
    const vpn = res.body.overall.terms.find((t: any) => t.term === 'vpn');
    expect(vpn).toMatchObject({ count: 3, groups: 1 });
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    expect(sd.comments).toBe(4);
    expect(sd.terms.find((t: any) => t.term === 'vpn')).toMatchObject({ count: 3, share: 0.75, overallShare: 0.6, kind: 'team' });
    // "waited" is in one comment of each of the two teams: a systemic term, not a team's own.
    expect(res.body.overall.terms.find((t: any) => t.term === 'waited')).toMatchObject({ count: 2, groups: 2 });
  });

  it('CSV export: answers (formulas defused, no people) and stats per team and week', async () => {
    const answers = await h.service.app!.inject({ method: 'GET', url: `/admin/export/answers.csv?${range}`, headers: { authorization: 'Basic ' + Buffer.from(`x:${h.te.config.ADMIN_TOKEN}`).toString('base64') } });
    expect(answers.statusCode).toBe(200);
    expect(answers.headers['content-type']).toContain('text/csv');
    const lines = answers.body.trim().split('\r\n');
    expect(lines[0]).toBe('survey_id,connector,ticket,team,category,priority,scale,score,detractor,comment,sent_at,answered_at');
    expect(lines).toHaveLength(1 + 17);
    expect(answers.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(answers.body).not.toMatch(/Agent [A-Z]|@example\.com|first thought/);
    const stats = await h.api('GET', `/admin/export/stats.csv?${range}&groupBy=team&interval=week`);
    expect(stats.status).toBe(200);
    const rows = String(stats.body).trim().split('\r\n');
    expect(rows[0]).toMatch(/^group_key,group,period,sent,delivered,answered,response_rate,csat_n,csat_share/);
    // 4 teams × (all + 2 weeks).
    expect(rows).toHaveLength(1 + 4 * 3);
    expect(rows.find((r) => r.startsWith('snow:g-Service Desk,Service Desk,all,'))).toMatch(/^snow:g-Service Desk,Service Desk,all,8,6,7,0.875,7,0.5714,/);
  });

  it('refuses without the admin token, and names the bad parameter', async () => {
    expect((await h.api('GET', `/admin/stats?${range}`, undefined, { token: null })).status).toBe(401);
    expect((await h.api('GET', `/admin/export/answers.csv?${range}`, undefined, { token: 'wrong' })).status).toBe(401);
    const bad = await h.api('GET', '/admin/stats?from=2026-13-01');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^from: /);
  });
});
