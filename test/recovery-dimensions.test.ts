import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import type { WhatMattered } from '../src/db/schema.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * Recovery effectiveness and "what mattered most" over a hand-made dataset; every expected figure is
 * worked out by hand in the comments. Range 2026-10-05 (Mon) … 2026-10-18 (Sun). Service Desk on the
 * CSAT connector (detractor ≤ 2, due 24 h), Network on the NPS connector (detractor ≤ 6).
 */
const at = (s: string) => new Date(`${s}Z`);
let n = 0;
function survey(connectorId: 'snow' | 'nps', team: string, who: string, sent: string, score: number | null, o: { wm?: WhatMattered | null; answered?: string; fu?: PastSurvey['followUp'] } = {}): PastSurvey {
  n++;
  const sentAt = at(sent);
  return {
    connectorId,
    ticket: { externalId: `r${n}`, key: `INC${2000 + n}`, title: 'x', category: 'hardware', priority: '3', groupId: `g-${team}`, groupName: team, assigneeId: 'a1', assigneeName: 'Agent One' },
    requester: { email: `${who}@example.com`, name: who },
    scale: connectorId === 'snow' ? 'csat' : 'nps',
    sentAt,
    answer: score === null ? null : { score, comment: null, submittedAt: o.answered ? at(o.answered) : new Date(sentAt.getTime() + 3600_000), whatMattered: o.wm ?? null },
    followUp: o.fu ?? null,
  };
}
const fu = (answered: string, due: string, closed: string | null, outcome: string | null, outcomeCode: string | null, overdue: string | null = null): PastSurvey['followUp'] => ({
  createdAt: new Date(at(answered).getTime() + 5 * 60_000), dueAt: at(due), closedAt: closed ? at(closed) : null, outcome, outcomeCode, overdueAt: overdue ? at(overdue) : null,
});

describe('recovery effectiveness and the four dimensions, hand-computed', () => {
  let h: Harness;
  const range = 'from=2026-10-05&to=2026-10-18';
  beforeAll(async () => {
    h = await startHarness();
    for (const [id, scale, dueHours] of [['snow', 'csat', 24], ['nps', 'nps', 4]] as const) {
      const res = await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id, survey: { scale }, intake: { mode: 'push' }, followUp: { dueHours } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await insertPastSurveys(h.te.db, [
      // D1 alice: task closed on time (4 h after the answer), resolved; her next answered survey (10-20, outside the range) is a 5 → recovered.
      survey('snow', 'Service Desk', 'alice', '2026-10-05T09:00:00', 1, { wm: 'responsiveness', fu: fu('2026-10-05T10:00:00', '2026-10-06T10:00:00', '2026-10-05T14:00:00', 'resolved – replaced the docking station', 'resolved') }),
      // alice again, sent before D1's task closed: a detractor without a task, and never D1's "next answer".
      survey('snow', 'Service Desk', 'alice', '2026-10-05T12:00:00', 1, { wm: 'responsiveness' }),
      survey('snow', 'Service Desk', 'alice', '2026-10-20T09:00:00', 5),
      // D2 bob: closed late (30 h), explained; next survey 10-08 unanswered, then 10-09 a 2 → not recovered.
      survey('snow', 'Service Desk', 'bob', '2026-10-06T09:00:00', 2, { wm: 'reliability', fu: fu('2026-10-06T10:00:00', '2026-10-07T10:00:00', '2026-10-07T16:00:00', 'explained: change freeze delayed the fix', 'explained', '2026-10-07T10:00:00') }),
      survey('snow', 'Service Desk', 'bob', '2026-10-08T09:00:00', null),
      survey('snow', 'Service Desk', 'bob', '2026-10-09T09:00:00', 2, { wm: 'other' }),
      // D3 carol: could not reach (on time); her next answer is an NPS 9 on the other connector → recovered.
      survey('snow', 'Service Desk', 'carol', '2026-10-07T09:00:00', 1, { wm: 'empathy', fu: fu('2026-10-07T10:00:00', '2026-10-08T10:00:00', '2026-10-07T12:00:00', 'could not reach – voicemail twice', 'could_not_reach') }),
      survey('nps', 'Network', 'carol', '2026-10-12T09:00:00', 9, { wm: 'responsiveness' }),
      // D4 dave: still open, due 10-09 → past due → never reached. D5 erin: open, due far ahead.
      survey('snow', 'Service Desk', 'dave', '2026-10-08T09:00:00', 2, { fu: fu('2026-10-08T10:00:00', '2026-10-09T10:00:00', null, null, null, '2026-10-09T10:00:00') }),
      survey('snow', 'Service Desk', 'erin', '2026-10-09T09:00:00', 1, { wm: 'responsiveness', fu: fu('2026-10-09T10:00:00', '2099-01-01T00:00:00', null, null, null) }),
      // D6 frank: closed on time (10 h) without a code; next survey 10-13 a 3 → recovered.
      survey('snow', 'Service Desk', 'frank', '2026-10-12T09:00:00', 2, { wm: 'reliability', fu: fu('2026-10-12T10:00:00', '2026-10-13T10:00:00', '2026-10-12T20:00:00', 'Called, the docking station was loose', null) }),
      survey('snow', 'Service Desk', 'frank', '2026-10-13T09:00:00', 3, { wm: 'assurance' }),
      // Promoters of the Service Desk.
      survey('snow', 'Service Desk', 'henry', '2026-10-14T09:00:00', 5, { wm: 'empathy' }),
      survey('snow', 'Service Desk', 'ivan', '2026-10-14T10:00:00', 4, { wm: 'empathy' }),
      survey('snow', 'Service Desk', 'judy', '2026-10-15T09:00:00', 5, { wm: 'reliability' }),
      survey('snow', 'Service Desk', 'kate', '2026-10-15T10:00:00', 5),
      // Network: gina, NPS 3; her connector gives 4 h (due 14:00), the task closed after 5 h: within 24 h but late. Resolved; no next answer.
      survey('nps', 'Network', 'gina', '2026-10-06T09:00:00', 3, { wm: 'assurance', fu: fu('2026-10-06T10:00:00', '2026-10-06T14:00:00', '2026-10-06T15:00:00', 'resolved: customer happy now', 'resolved') }),
    ]);
    // judy changed her mind: an earlier answer (kept, inactive) said empathy; only the standing one counts.
    const judy = await h.te.db.selectFrom('surveys as s').innerJoin('people as p', 'p.id', 's.person_id').select('s.id').where('p.email', '=', 'judy@example.com').executeTakeFirstOrThrow();
    await h.te.db.insertInto('responses').values({ survey_id: judy.id, score: 1, comment: null, submitted_at: at('2026-10-15T09:30:00'), is_active: false, what_mattered: 'empathy' }).execute();
  });
  afterAll(() => h?.close());

  it('recovery per team: on time, outcomes, never reached, median time to contact, recovery rate', async () => {
    const res = await h.api('GET', `/admin/stats/recovery?${range}&groupBy=team`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    // D1–D6 have a task (alice's second and bob's 10-09 detractors have none).
    expect(sd).toMatchObject({
      detractors: 6,
      closed: 4, // D1, D2, D3, D6
      closedOnTime: 3, // D2 closed 30 h after its answer, due after 24 h
      closedLate: 1,
      closedOnTimeShare: 0.5,
      open: 2,
      openPastDue: 1, // D4 (D5 is due in 2099)
      outcomes: { resolved: 1, explained: 1, could_not_reach: 1, none: 1 },
      neverReached: 2, // D3 could_not_reach + D4 open past due
      neverReachedShare: 2 / 6,
      contacted: 3, // D1 240 min, D2 1,800 min, D6 600 min
      medianMinutesToContact: 600,
      withNextAnswer: 4, // D1 (5), D2 (2), D3 (NPS 9), D6 (3)
      recovered: 3,
      recoveryRate: 0.75,
    });
    expect(sd.byOutcome).toEqual({
      resolved: { withNextAnswer: 1, recovered: 1, recoveryRate: 1 },
      explained: { withNextAnswer: 1, recovered: 0, recoveryRate: 0 },
      could_not_reach: { withNextAnswer: 1, recovered: 1, recoveryRate: 1 },
      none: { withNextAnswer: 1, recovered: 1, recoveryRate: 1 },
    });
    const net = res.body.groups.find((g: any) => g.label === 'Network');
    expect(net).toMatchObject({ detractors: 1, closed: 1, closedOnTime: 0, closedLate: 1, neverReached: 0, medianMinutesToContact: 300, withNextAnswer: 0, recoveryRate: null });
    // Total: 7 tasks; contact times 240, 300, 600, 1,800 → median (300 + 600) / 2 = 450.
    expect(res.body.total).toMatchObject({ detractors: 7, closed: 5, closedOnTime: 3, neverReached: 2, medianMinutesToContact: 450, withNextAnswer: 4, recovered: 3, recoveryRate: 0.75 });

    // Each detractor's story, newest answer first: D6 (frank) then …
    expect(res.body.recent[0]).toMatchObject({ team: 'Service Desk', closedOnTime: true, outcomeCode: null, next: { scale: 'csat', score: 3, detractor: false } });
    const bob = res.body.recent.find((r: any) => r.outcomeCode === 'explained');
    expect(bob).toMatchObject({ closedOnTime: false, next: { score: 2, detractor: true } });
    // Close notes are analysed like comments, without the code.
    const notes = res.body.closeNoteThemes.groups.find((g: any) => g.label === 'Service Desk');
    expect(notes.terms.find((t: any) => t.term === 'docking station')).toMatchObject({ count: 2 });
    expect(JSON.stringify(res.body.closeNoteThemes)).not.toContain('could');
  });

  it('follow-ups: overdue now apart from ever overdue, closed within each connector\'s own due time', async () => {
    const res = await h.api('GET', `/admin/stats/follow-ups?${range}&groupBy=team`);
    expect(res.status).toBe(200);
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    // 8 detractors, 6 tasks; D2 and D4 were overdue at their due time, only D4 is still open past it; D1, D3, D6 closed within 24 h (their due).
    expect(sd).toMatchObject({ detractors: 8, tasksCreated: 6, open: 2, overdue: 2, overdueNow: 1, closedWithinDue: 3, closedWithinDueShare: 0.5, closedWithin24h: 3 });
    // gina's connector gives 4 h: closed after 5 h is within 24 h, not within its due time.
    const net = res.body.groups.find((g: any) => g.label === 'Network');
    expect(net).toMatchObject({ tasksCreated: 1, closedWithin24h: 1, closedWithinDue: 0, overdueNow: 0 });
    expect(res.body.total).toMatchObject({ tasksCreated: 7, closedWithinDue: 3, closedWithinDueShare: 0.429, overdueNow: 1, overdue: 2 });
  });

  it('dimensions per team: shares among detractors and promoters, and what drives each', async () => {
    const res = await h.api('GET', `/admin/stats/dimensions?${range}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sd = res.body.groups.find((g: any) => g.label === 'Service Desk');
    // 13 standing answers, 11 answered the question; detractors answering: 7 (alice ×2, bob ×2, carol, erin, frank; dave did not answer it).
    expect(sd).toMatchObject({ answers: 13, answeredQuestion: 11, answeredBy: { detractor: 7, passive: 1, promoter: 3 }, drivesDetractors: 'responsiveness', drivesPromoters: 'empathy' });
    const share = Object.fromEntries(sd.dimensions.map((d: any) => [d.dimension, [d.detractors, d.detractorShare, d.promoters, d.promoterShare]]));
    expect(share).toEqual({
      responsiveness: [3, 3 / 7, 0, 0],
      reliability: [2, 2 / 7, 1, 1 / 3], // judy's standing answer (reliability), not her earlier one (empathy)
      assurance: [0, 0, 0, 0],
      empathy: [1, 1 / 7, 2, 2 / 3],
      other: [1, 1 / 7, 0, 0],
    });
    const net = res.body.groups.find((g: any) => g.label === 'Network');
    expect(net).toMatchObject({ answers: 2, answeredQuestion: 2, drivesDetractors: 'assurance', drivesPromoters: 'responsiveness' });
    // All: 8 detractors and 4 promoters answered it.
    const all = Object.fromEntries(res.body.total.dimensions.map((d: any) => [d.dimension, [d.detractorShare, d.promoterShare]]));
    expect(all).toEqual({ responsiveness: [3 / 8, 1 / 4], reliability: [2 / 8, 1 / 4], assurance: [1 / 8, 0], empathy: [1 / 8, 2 / 4], other: [1 / 8, 0] });
    expect(res.body.total).toMatchObject({ answers: 15, answeredQuestion: 13 });
  });

  it('answers 400 for bad input and never per agent', async () => {
    for (const path of ['/admin/stats/recovery', '/admin/stats/dimensions']) {
      for (const q of ['agent=snow:a1', 'groupBy=agent', 'from=yesterday', 'groupBy=tree', 'from=2026-10-10&to=2026-10-01']) {
        const res = await h.api('GET', `${path}?${q}`);
        expect(res.status, `${path}?${q}`).toBe(400);
        expect(res.body.message).toMatch(/agent|from|groupBy/);
      }
      expect((await h.api('GET', path, undefined, { token: null })).status).toBe(401);
    }
  });
});
