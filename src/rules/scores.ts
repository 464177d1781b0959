/**
 * Satisfaction scores as IT customer-experience practice defines them. Pure: counts in, figures out.
 * - CSAT: share of "top-two-box" answers (4 or 5 on 1–5), with a Wilson score interval (95%).
 * - NPS: % promoters (9–10) minus % detractors (0–6), from −100 to 100.
 * - CES: the mean on 1–7 (higher = easier).
 */
export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for a proportion: honest for small n and for shares near 0 or 1. */
export function wilson(successes: number, n: number, z = 1.959964): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At p = 0 or 1 the bound is exactly 0 or 1; floating point would leave 1e-16 off.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}

export function csat(scores: readonly number[]): { n: number; topTwo: number; share: number | null; interval: Interval | null } {
  return csatOf(scores.filter((s) => s >= 4).length, scores.length);
}

/** CSAT from counts: `topTwo` answers of 4 or 5 among `n`. */
export function csatOf(topTwo: number, n: number): { n: number; topTwo: number; share: number | null; interval: Interval | null } {
  return { n, topTwo, share: n ? topTwo / n : null, interval: wilson(topTwo, n) };
}

export function nps(scores: readonly number[]): { n: number; promoters: number; passives: number; detractors: number; score: number | null } {
  return npsOf(scores.filter((s) => s >= 9).length, scores.filter((s) => s <= 6).length, scores.length);
}

/** NPS from counts of promoters (9–10) and detractors (0–6) among `n`. */
export function npsOf(promoters: number, detractors: number, n: number): { n: number; promoters: number; passives: number; detractors: number; score: number | null } {
  return { n, promoters, passives: n - promoters - detractors, detractors, score: n ? Math.round(((promoters - detractors) / n) * 1000) / 10 : null };
}

export function ces(scores: readonly number[]): { n: number; mean: number | null } {
  return cesOf(scores.reduce((a, b) => a + b, 0), scores.length);
}

/** CES from the sum of `n` scores (integers: the sum is exact, whatever the order). */
export function cesOf(sum: number, n: number): { n: number; mean: number | null } {
  return { n, mean: n ? Math.round((sum / n) * 100) / 100 : null };
}

/** sent → delivered → answered; the response rate is answered / sent. */
export function funnel(sent: number, delivered: number, answered: number) {
  return { sent, delivered, answered, responseRate: sent ? answered / sent : null };
}

/** Agent-level figures below the minimum group size are withheld (protects individuals). */
export const visibleForAgent = (n: number, minGroupSize: number) => n >= minGroupSize;
