import { describe, expect, it } from 'vitest';
import { erfc, newcombeDifference, share, twoProportionTest } from './proportions.js';

/** Expected values computed by hand (in Python, with math.erfc) from the formulas; rounded where shown. */
const r = (x: number, places = 6) => Math.round(x * 10 ** places) / 10 ** places;

describe('comparing two proportions', () => {
  it("reproduces Newcombe's published example (1998, method 10): 56/70 − 48/80 = 0.2000 (0.0524 to 0.3339)", () => {
    const d = newcombeDifference(share(48, 80), share(56, 70))!;
    expect(r(d.value, 4)).toBe(0.2);
    expect([r(d.interval.low, 4), r(d.interval.high, 4)]).toEqual([0.0524, 0.3339]);
  });

  it('a fall from 30/60 to 12/60: −0.30 (−0.447378 to −0.129929), z = −3.445016, p = 0.000571', () => {
    const before = share(30, 60);
    const after = share(12, 60);
    expect([r(before.interval!.low), r(before.interval!.high)]).toEqual([0.37735, 0.62265]);
    expect([r(after.interval!.low), r(after.interval!.high)]).toEqual([0.118285, 0.317818]);
    const d = newcombeDifference(before, after)!;
    expect(r(d.value)).toBe(-0.3);
    expect([r(d.interval.low), r(d.interval.high)]).toEqual([-0.447378, -0.129929]);
    expect(r(d.z!)).toBe(-3.445016);
    expect(r(d.p!, 7)).toBe(0.000571);
  });

  it('a rise that is not distinguishable from noise: 10/50 → 12/50, +0.04 (−0.122514 to 0.200179), p = 0.629235', () => {
    const d = newcombeDifference(share(10, 50), share(12, 50))!;
    expect([r(d.value), r(d.interval.low), r(d.interval.high)]).toEqual([0.04, -0.122514, 0.200179]);
    expect(r(d.p!)).toBe(0.629235);
  });

  it('down to zero: 5/20 → 0/20 uses the exact 0 bound (−0.468701 to −0.037765)', () => {
    const d = newcombeDifference(share(5, 20), share(0, 20))!;
    expect([r(d.value), r(d.interval.low), r(d.interval.high)]).toEqual([-0.25, -0.468701, -0.037765]);
    expect(r(twoProportionTest(5, 20, 0, 20).p!)).toBe(0.016827);
  });

  it('no base, no figure; both shares 0 → no test statistic', () => {
    expect(share(0, 0)).toEqual({ n: 0, k: 0, share: null, interval: null });
    expect(newcombeDifference(share(0, 0), share(1, 2))).toBeNull();
    expect(twoProportionTest(0, 10, 0, 12)).toEqual({ z: null, p: null });
  });

  it('erfc matches the reference to 1e-15', () => {
    for (const [x, want] of [[0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047265], [3, 2.2090496998585438e-5]] as const) {
      expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1e-14);
    }
    expect(erfc(-1)).toBeCloseTo(2 - 0.15729920705028513, 15);
  });
});
