import { describe, expect, it } from 'vitest';
import { cesMargin, npsMargin, t975 } from './margins.js';
import { figuresFrom } from './figures.js';

describe('margins of error', () => {
  it('NPS: trinomial standard error, worked by hand', () => {
    // 0, 6, 7, 8, 9, 10, 10: p = 3/7, d = 2/7, NPS = +14.3. Variance p + d − (p − d)² = 5/7 − 1/49 = 34/49;
    // SE = √(34/49 / 7) = 0.31484; × 1.959964 = 0.61708 → ±61.7, interval −47.4 … +76.0.
    expect(npsMargin(3, 2, 7)).toEqual({ margin: 61.7, interval: { low: -47.4, high: 76 } });
    // All promoters: no spread to see (0), and the bounds stay within −100…+100.
    expect(npsMargin(4, 0, 4)).toEqual({ margin: 0, interval: { low: 100, high: 100 } });
    expect(npsMargin(1, 1, 2)!.interval).toEqual({ low: -100, high: 100 });
    expect(npsMargin(1, 0, 1)).toBeNull();
  });

  it('CES: Student t interval, worked by hand', () => {
    // 5, 6, 6, 7, 4, 6: mean 5.667, s² = 1.0667, s/√6 = 0.42164; t(0.975, 5) = 2.570582 → ±1.08, 4.58 … 6.75.
    expect(cesMargin(34, 198, 6)).toEqual({ margin: 1.08, interval: { low: 4.58, high: 6.75 } });
    // Clamped to the scale: 7, 5, 2 → mean 4.67 ± 6.25 → 1 … 7.
    expect(cesMargin(14, 78, 3)).toEqual({ margin: 6.25, interval: { low: 1, high: 7 } });
    expect(cesMargin(7, 49, 1)).toBeNull();
  });

  it('t quantiles match the tables', () => {
    expect(t975(1)).toBeCloseTo(12.7062, 4);
    expect(t975(2)).toBeCloseTo(4.3027, 4);
    expect(t975(5)).toBeCloseTo(2.5706, 4);
    expect(t975(30)).toBeCloseTo(2.0423, 4);
    expect(t975(1e6)).toBeCloseTo(1.96, 3);
  });

  it('figuresFrom carries them for NPS and CES, from histogram cells', () => {
    const cell = (scale: 'nps' | 'ces', score: number, surveys: number) => ({ scale, score, detractor: false, surveys, delivered: 0 });
    const f = figuresFrom([cell('nps', 0, 1), cell('nps', 6, 1), cell('nps', 7, 1), cell('nps', 8, 1), cell('nps', 9, 1), cell('nps', 10, 2), cell('ces', 5, 1), cell('ces', 6, 3), cell('ces', 7, 1), cell('ces', 4, 1)], { deliveryTracked: false });
    expect(f.nps).toEqual({ n: 7, promoters: 3, passives: 2, detractors: 2, score: 14.3, margin: 61.7, interval: { low: -47.4, high: 76 } });
    expect(f.ces).toEqual({ n: 6, mean: 5.67, margin: 1.08, interval: { low: 4.58, high: 6.75 } });
  });
});
