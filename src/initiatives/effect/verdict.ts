import { newcombeDifference, type Difference, type Share } from './proportions.js';

/**
 * Did the initiative make a difference? (pure)
 *
 * Two measures, each a proportion before vs after (see windows.ts):
 *   topic share  comments (survey answers with a comment) about the initiative's themes or categories,
 *                among all comments of its scope: LOWER is better;
 *   CSAT         the scope's top-two-box share among CSAT answers: HIGHER is better.
 * For each: "not enough data" when either window has fewer than `minN` in its base (or the after
 * window has not begun); otherwise the 95% Newcombe interval of after − before decides: it lies
 * wholly on the better side of 0 → improved, wholly on the worse side → worsened, contains 0 → no
 * distinguishable change.
 * Overall: not enough data when neither measure has enough; improved (worsened) when at least one
 * measure improved (worsened) and none went the other way; mixed when one improved and the other
 * worsened; otherwise no distinguishable change.
 */
export type Verdict = 'improved' | 'worsened' | 'no_distinguishable_change' | 'not_enough_data';
export type OverallVerdict = Verdict | 'mixed';

export interface Measure {
  before: Share;
  after: Share | null;
  difference: Difference | null;
  /** Which direction is better. */
  better: 'lower' | 'higher';
  verdict: Verdict;
}

export function measure(before: Share, after: Share | null, better: 'lower' | 'higher', minN: number): Measure {
  const enough = !!after && before.n >= minN && after.n >= minN;
  const difference = enough ? newcombeDifference(before, after!) : null;
  let verdict: Verdict = 'not_enough_data';
  if (difference) {
    const { low, high } = difference.interval;
    const up = low > 0;
    const down = high < 0;
    verdict = !up && !down ? 'no_distinguishable_change' : (up && better === 'higher') || (down && better === 'lower') ? 'improved' : 'worsened';
  }
  return { before, after, difference, better, verdict };
}

export function overallVerdict(verdicts: readonly Verdict[]): OverallVerdict {
  if (verdicts.every((v) => v === 'not_enough_data')) return 'not_enough_data';
  const improved = verdicts.includes('improved');
  const worsened = verdicts.includes('worsened');
  if (improved && worsened) return 'mixed';
  if (improved) return 'improved';
  if (worsened) return 'worsened';
  return 'no_distinguishable_change';
}
