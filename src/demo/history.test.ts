import { describe, expect, it } from 'vitest';
import { demoHistory } from './history.js';

const teams = ['Service Desk', 'Network', 'End User Computing'].map((name, i) => ({ id: `g${i}`, name, agents: [{ id: `a${i}1`, name: 'One' }, { id: `a${i}2`, name: 'Two' }, { id: `a${i}3`, name: 'Rare' }] }));
const now = new Date('2026-11-22T12:00:00Z');

describe('demo history', () => {
  const h = demoHistory({ connectorId: 'demo', teams, now });

  it('is deterministic and spans the weeks before the last two days', () => {
    expect(demoHistory({ connectorId: 'demo', teams, now })).toEqual(h);
    const sent = h.map((s) => s.sentAt.getTime());
    expect(Math.min(...sent)).toBeGreaterThanOrEqual(now.getTime() - 56 * 86_400_000);
    expect(Math.max(...sent)).toBeLessThan(now.getTime() - 86_400_000);
    expect(h.length).toBeGreaterThan(400);
  });

  it('leaves no work owed: every detractor has a closed follow-up, and only detractors have one', () => {
    for (const s of h) {
      const detractor = !!s.answer && s.answer.score <= 2;
      expect(!!s.followUp).toBe(detractor);
      if (s.followUp) expect(s.followUp.closedAt).not.toBeNull();
    }
  });

  it('tells a story: Network gets worse, End User Computing better', () => {
    const share = (team: string, half: 0 | 1) => {
      const mid = now.getTime() - 29 * 86_400_000;
      const answers = h.filter((s) => s.ticket.groupName === team && s.answer && (s.sentAt.getTime() < mid ? 0 : 1) === half).map((s) => s.answer!.score);
      return answers.filter((x) => x >= 4).length / answers.length;
    };
    expect(share('Network', 1)).toBeLessThan(share('Network', 0) - 0.1);
    expect(share('End User Computing', 1)).toBeGreaterThan(share('End User Computing', 0) + 0.1);
  });
});

describe('demo history for acting on feedback', () => {
  const h = demoHistory({ connectorId: 'demo', teams, now });
  it('has outcome codes, "what mattered" answers, and detractors who answered again later', () => {
    const followUps = h.filter((s) => s.followUp);
    expect(new Set(followUps.map((s) => s.followUp!.outcomeCode))).toEqual(new Set(['resolved', 'explained', 'could_not_reach', 'no_action']));
    expect(h.filter((s) => s.answer?.whatMattered).length).toBeGreaterThan(100);
    const again = followUps.filter((d) => h.some((s) => s.requester.email === d.requester.email && s.answer && s.sentAt > d.followUp!.closedAt!));
    expect(again.length).toBeGreaterThan(20);
  });
});
