import { wilson, type Interval } from '../../rules/scores.js';

/**
 * Comparing two proportions (pure): a "before" share k1/n1 and an "after" share k2/n2.
 * - Each share: Wilson score interval (95%).
 * - The difference after − before: Newcombe's hybrid score interval (Newcombe 1998, method 10), built
 *   from the two Wilson intervals; it stays inside −1…1 and behaves for small n and shares near 0 or 1.
 * - The pooled two-proportion z-test, for its p-value (two-sided). The interval decides the verdict;
 *   the p-value is reported beside it (at the edge the two can disagree by a hair).
 */
export const Z95 = 1.959964;

export interface Share {
  n: number;
  k: number;
  /** k / n, 0..1; null when n = 0. */
  share: number | null;
  interval: Interval | null;
}

export interface Difference {
  /** after − before, −1..1 */
  value: number;
  interval: Interval;
  /** Pooled two-proportion z statistic and its two-sided p-value; null when both shares are 0 or both 1. */
  z: number | null;
  p: number | null;
}

export function share(k: number, n: number): Share {
  return { n, k, share: n > 0 ? k / n : null, interval: wilson(k, n, Z95) };
}

export function newcombeDifference(before: Share, after: Share): Difference | null {
  if (!before.interval || !after.interval || before.share === null || after.share === null) return null;
  const p1 = before.share;
  const p2 = after.share;
  const { low: l1, high: u1 } = before.interval;
  const { low: l2, high: u2 } = after.interval;
  const value = p2 - p1;
  const low = value - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2);
  const high = value + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2);
  const { z, p } = twoProportionTest(before.k, before.n, after.k, after.n);
  return { value, interval: { low, high }, z, p };
}

export function twoProportionTest(k1: number, n1: number, k2: number, n2: number): { z: number | null; p: number | null } {
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: null, p: null };
  const z = (k2 / n2 - k1 / n1) / se;
  return { z, p: erfc(Math.abs(z) / Math.SQRT2) };
}

/**
 * The complementary error function, erfc(x) for x ≥ 0 (Chebyshev fit from Numerical Recipes, 3rd
 * ed., §6.2.2: relative error below 1.2·10⁻¹⁶). Enough for a p-value shown to four places.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = COF.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + COF[j]!;
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (COF[0]! + ty * d) - dd);
}

const COF = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4,
  4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
  5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13,
  3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];
