import type { Interval } from '../rules/scores.js';
import { judge } from '../targets/status.js';
import type { TargetStatus } from './providers.js';

/**
 * A figure against its target, when the targets module gives no verdict of its own (pure): the same
 * rule as the dashboard's (src/targets/status.ts) — met when the whole 95% interval reaches the target,
 * missed when it all falls short, at risk otherwise. A figure without an interval (a response rate, a
 * follow-up share in the digest) is compared as it is. No figure, no verdict.
 */
export function targetStatus(value: number | null, interval: Interval | null | undefined, target: number): TargetStatus | null {
  if (value === null) return null;
  if (interval) return judge(target, interval);
  return value >= target ? 'met' : 'missed';
}
