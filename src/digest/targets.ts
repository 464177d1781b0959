import type { Interval } from '../rules/scores.js';
import type { TargetStatus } from './providers.js';

/**
 * A figure against its target, when the targets module gives no verdict of its own (pure): met when
 * the figure reaches the target; at risk when it does not, but the target lies inside the figure's
 * 95% interval (the miss may be noise); missed otherwise. No figure, no verdict.
 */
export function targetStatus(value: number | null, interval: Interval | null | undefined, target: number): TargetStatus | null {
  if (value === null) return null;
  if (value >= target) return 'met';
  if (interval && interval.low <= target && target <= interval.high) return 'at_risk';
  return 'missed';
}
