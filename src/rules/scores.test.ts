import { describe, expect, it } from 'vitest';
import { ces, csat, funnel, nps, visibleForAgent, wilson } from './scores.js';

describe('satisfaction scores', () => {
  it('NPS counts 9-10 as promoters and 0-6 as detractors (7 and 8 are passive)', () => {
    expect(nps([0, 6, 7, 8, 9, 10])).toEqual({ n: 6, promoters: 2, passives: 2, detractors: 2, score: 0 });
    expect(nps([10, 10, 9, 0]).score).toBe(50);
    expect(nps([6, 6, 7]).score).toBe(-66.7);
    expect(nps([]).score).toBeNull();
  });

  it('CSAT is the top-two-box share with a Wilson interval', () => {
    const c = csat([5, 4, 3, 2, 1, 5, 4, 4]);
    expect(c).toMatchObject({ n: 8, topTwo: 5, share: 0.625 });
    expect(c.interval!.low).toBeCloseTo(0.3057, 3);
    expect(c.interval!.high).toBeCloseTo(0.8632, 3);
    expect(csat([]).share).toBeNull();
  });

  it('the Wilson interval stays inside [0, 1] at the extremes', () => {
    expect(wilson(0, 10)!.low).toBe(0);
    expect(wilson(10, 10)!.high).toBe(1);
    expect(wilson(10, 10)!.low).toBeCloseTo(0.7225, 3);
    expect(wilson(0, 0)).toBeNull();
  });

  it('CES is the mean; the response rate is answered over sent; small agent groups are hidden', () => {
    expect(ces([7, 6, 5, 1]).mean).toBe(4.75);
    expect(funnel(200, 190, 50)).toEqual({ sent: 200, delivered: 190, answered: 50, responseRate: 0.25 });
    expect(funnel(0, 0, 0).responseRate).toBeNull();
    expect([visibleForAgent(4, 5), visibleForAgent(5, 5)]).toEqual([false, true]);
  });
});
