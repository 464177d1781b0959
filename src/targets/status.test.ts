import { describe, expect, it } from 'vitest';
import { judge, npsFigure, overallStatus, percentFigure } from './status.js';

/** Expected values computed by hand (independently, in Python, from the formulas in status.ts). */
describe('target status', () => {
  it('met only when the whole interval reaches the target, missed only when it all falls short', () => {
    expect(judge(80, { low: 81, high: 90 })).toBe('met');
    expect(judge(80, { low: 80, high: 90 })).toBe('met'); // the bound on the target counts as reaching it
    expect(judge(80, { low: 70, high: 79.99 })).toBe('missed');
    // Point above the target, lower bound below: at risk.
    expect(judge(80, { low: 75, high: 88 })).toBe('at_risk');
    // Point below the target, upper bound reaches it: at risk.
    expect(judge(80, { low: 70, high: 80 })).toBe('at_risk');
  });

  it('CSAT / response rate: the share in % with its Wilson 95% interval', () => {
    const f = percentFigure(40, 50)!;
    expect(f.value).toBe(80);
    expect(f.interval.low).toBeCloseTo(66.96289395, 7);
    expect(f.interval.high).toBeCloseTo(88.75625004, 7);
    // 80% point estimate: a target of 70 is at risk (66.96 < 70), 65 met, 90 missed.
    expect(judge(70, f.interval)).toBe('at_risk');
    expect(judge(65, f.interval)).toBe('met');
    expect(judge(90, f.interval)).toBe('missed');
    const r = percentFigure(17, 25)!;
    expect(r.value).toBe(68);
    expect([r.interval.low, r.interval.high].map((x) => Math.round(x * 10_000) / 10_000)).toEqual([48.4103, 82.7948]);
    expect(percentFigure(0, 0)).toBeNull();
  });

  it('NPS: adjusted Wald interval (n + 3, ¾ promoter and ¾ detractor added), in points', () => {
    const f = npsFigure(30, 10, 50)!;
    expect(f.value).toBe(40);
    expect(f.interval.low).toBeCloseTo(16.18768787, 7);
    expect(f.interval.high).toBeCloseTo(59.28401024, 7);
    const g = npsFigure(12, 3, 20)!;
    expect(g.value).toBe(45);
    expect([g.interval.low, g.interval.high].map((x) => Math.round(x * 10_000) / 10_000)).toEqual([8.4311, 69.8297]);
    expect(judge(10, g.interval)).toBe('at_risk');
    expect(judge(5, g.interval)).toBe('met');
  });

  it('NPS with a handful of answers: the interval is clamped to −100…100 and contains the point estimate', () => {
    const f = npsFigure(0, 5, 5)!;
    expect(f.value).toBe(-100);
    expect(f.interval.low).toBe(-100);
    expect(f.interval.high).toBeCloseTo(-17.49145268, 7);
    expect(npsFigure(0, 0, 0)).toBeNull();
  });

  it('a team is as good as its worst judged metric; nothing judged = too few', () => {
    expect(overallStatus(['met', 'at_risk', 'too_few'])).toBe('at_risk');
    expect(overallStatus(['met', 'missed'])).toBe('missed');
    expect(overallStatus(['met', 'too_few'])).toBe('met');
    expect(overallStatus(['too_few'])).toBe('too_few');
    expect(overallStatus([])).toBe('too_few');
  });
});
