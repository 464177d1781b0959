import { wilson, type Interval } from '../rules/scores.js';

/**
 * Whether a figure meets its target, with its 95% interval deciding (pure).
 *
 * Every target metric is "higher is better". With the target T and the interval [L, H] around the
 * point estimate x (L ≤ x ≤ H):
 *   met      L ≥ T        the whole interval reaches the target;
 *   missed   H < T        the whole interval falls short of it;
 *   at risk  otherwise    L < T ≤ H: the point estimate is above the target but the lower bound below
 *                         it, or below the target but the upper bound reaches it.
 *   too few  fewer than the minimum group size (STATS_MIN_GROUP_SIZE) in the figure's base: no figure
 *            is shown and nothing is judged, as on the dashboard.
 * Intervals (95%, z = 1.959964):
 *   CSAT %, response rate %, follow-up on time %: Wilson score interval of the share;
 *   NPS: adjusted Wald (Rocks 2016, "Interval estimation for the Net Promoter Score"): add 3 to n and
 *        ¾ to promoters and to detractors, then p − d ± z·√((p + d − (p − d)²) / n); in points,
 *        clamped to −100…100 and widened to contain the point estimate (it could fall outside only
 *        for a handful of answers).
 */
export type TargetStatus = 'met' | 'at_risk' | 'missed' | 'too_few';

export const Z95 = 1.959964;

export function judge(target: number, interval: Interval): Exclude<TargetStatus, 'too_few'> {
  if (interval.low >= target) return 'met';
  if (interval.high < target) return 'missed';
  return 'at_risk';
}

/** A share in % with its Wilson interval in %; null without a base. */
export function percentFigure(successes: number, n: number): { value: number; interval: Interval } | null {
  const i = wilson(successes, n, Z95);
  if (!i || n <= 0) return null;
  return { value: (successes / n) * 100, interval: { low: i.low * 100, high: i.high * 100 } };
}

/** NPS in points with its adjusted-Wald interval; null without answers. */
export function npsFigure(promoters: number, detractors: number, n: number): { value: number; interval: Interval } | null {
  if (n <= 0) return null;
  const value = ((promoters - detractors) / n) * 100;
  const m = n + 3;
  const p = (promoters + 0.75) / m;
  const d = (detractors + 0.75) / m;
  const centre = p - d;
  const half = Z95 * Math.sqrt((p + d - centre * centre) / m);
  const low = Math.max(-100, Math.min(value, (centre - half) * 100));
  const high = Math.min(100, Math.max(value, (centre + half) * 100));
  return { value, interval: { low, high } };
}

/** The worst status of a team's metrics (missed before at risk before met); too_few when none was judged. */
export function overallStatus(statuses: readonly TargetStatus[]): TargetStatus {
  for (const s of ['missed', 'at_risk', 'met'] as const) if (statuses.includes(s)) return s;
  return 'too_few';
}
