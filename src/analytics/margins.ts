import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Interval } from '../rules/scores.js';

/**
 * Margins of error for NPS and CES, as the Wilson interval is for CSAT (95%). Pure.
 *
 * NPS: each answer is a promoter (+1), passive (0) or detractor (−1); NPS/100 is the mean of that
 * trinomial variable, whose variance is p + d − (p − d)² (p, d: the shares of promoters and
 * detractors). Standard error √(variance / n); the interval is NPS ± 1.96 × SE (normal
 * approximation), clamped to −100…+100. With every answer in one class the variance is 0: the
 * margin says 0, as the data cannot show spread — read it with n.
 *
 * CES: the mean of 1–7 answers with a Student t interval: mean ± t(0.975, n − 1) × s / √n, s the
 * sample standard deviation, clamped to 1…7.
 *
 * Both need at least two answers (null otherwise). NPS bounds and margin are rounded to 0.1 like
 * the score, CES ones to 0.01 like the mean.
 */

const Z95 = 1.959964;
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

export interface Margin {
  /** Half-width of the 95% interval, in the figure's unit. */
  margin: number;
  interval: Interval;
}

export function npsMargin(promoters: number, detractors: number, n: number): Margin | null {
  if (n < 2) return null;
  const p = promoters / n;
  const d = detractors / n;
  const mean = p - d;
  const variance = Math.max(0, p + d - mean * mean);
  const half = Z95 * Math.sqrt(variance / n);
  return { margin: round1(half * 100), interval: { low: round1(Math.max(-1, mean - half) * 100), high: round1(Math.min(1, mean + half) * 100) } };
}

/** From the sum and the sum of squares of n answers on 1–7 (counts in cells: exact integers). */
export function cesMargin(sum: number, sumOfSquares: number, n: number): Margin | null {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumOfSquares - (sum * sum) / n) / (n - 1));
  const half = tQuantile(0.975, n - 1) * Math.sqrt(variance / n);
  return { margin: round2(half), interval: { low: round2(Math.max(1, mean - half)), high: round2(Math.min(7, mean + half)) } };
}

/** t(0.975, df), exposed for the tests and the README's worked example. */
export const t975 = (df: number) => tQuantile(0.975, df);

