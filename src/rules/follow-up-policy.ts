import type { Scale } from './scales.js';

export type FollowUpState = 'pending' | 'claimed' | 'open' | 'closed' | 'cancelled' | 'failed';

export interface PolicyInput {
  enabled: boolean;
  scale: Scale;
  score: number;
  detractorMax: Record<Scale, number>;
  /** The survey's follow-up so far, if any. */
  existing: FollowUpState | null;
}

/**
 * What a settled answer means for service recovery:
 * - create: a detractor without a follow-up (or whose earlier one was cancelled) gets one;
 * - cancel: the customer is no longer unhappy before the task exists, so it is not created;
 * - note: the task exists (or is being created): the change of rating is noted on it, never deleted;
 * - none: nothing to do.
 */
export type FollowUpAction = 'create' | 'cancel' | 'note' | 'none';

export const isDetractor = (scale: Scale, score: number, detractorMax: Record<Scale, number>) => score <= detractorMax[scale];

export function followUpAction(p: PolicyInput): FollowUpAction {
  const detractor = isDetractor(p.scale, p.score, p.detractorMax);
  switch (p.existing) {
    case null:
      return p.enabled && detractor ? 'create' : 'none';
    case 'cancelled':
      return p.enabled && detractor ? 'create' : 'none';
    case 'pending':
      return detractor ? 'none' : 'cancel';
    case 'claimed':
    case 'open':
      return 'note';
    case 'closed':
    case 'failed':
      return 'none';
  }
}

/** Due `dueHours` after the answer (the 24-hour service-recovery promise by default). */
export const followUpDueAt = (answeredAt: Date, dueHours: number) => new Date(answeredAt.getTime() + dueHours * 3600_000);
