import { answerClass, DIMENSIONS, type AnswerClass, type Dimension } from '../../rules/dimensions.js';
import type { Scale } from '../../rules/scales.js';

/**
 * "What mattered most?" per group: the share of each dimension among detractors and among promoters
 * (README "The four dimensions"). Pure: histogram cells in, figures out.
 *
 * Shares are of the answers of that class that also answered the question (the question is optional).
 * A dimension "drives detractors" when its share among detractors is above its share among promoters;
 * `drivesDetractors` names the one with the largest such gap ("other" is never named), and
 * `drivesPromoters` the reverse.
 */
export interface DimensionCell {
  key: string;
  label: string;
  scale: Scale;
  score: number;
  detractor: boolean;
  whatMattered: Dimension | null;
  answers: number;
}

export interface DimensionShare {
  dimension: Dimension;
  detractors: number;
  /** detractors choosing it / detractors who answered the question */
  detractorShare: number | null;
  passives: number;
  promoters: number;
  promoterShare: number | null;
  all: number;
  allShare: number | null;
  /** detractorShare − promoterShare (a missing share counts as 0) */
  gap: number | null;
}

export interface DimensionFigures {
  key: string;
  label: string;
  /** Standing answers in the cohort (with or without the second question). */
  answers: number;
  /** Of those, how many answered "what mattered most?". */
  answeredQuestion: number;
  answeredBy: Record<AnswerClass, number>;
  dimensions: DimensionShare[];
  drivesDetractors: Dimension | null;
  drivesPromoters: Dimension | null;
}

const ratio = (a: number, b: number) => (b ? a / b : null);

export function dimensionFigures(key: string, label: string, cells: readonly DimensionCell[]): DimensionFigures {
  const counts = new Map<Dimension, Record<AnswerClass, number>>(DIMENSIONS.map((d) => [d, { detractor: 0, passive: 0, promoter: 0 }]));
  const answeredBy: Record<AnswerClass, number> = { detractor: 0, passive: 0, promoter: 0 };
  let answers = 0;
  for (const c of cells) {
    answers += c.answers;
    if (!c.whatMattered) continue;
    const cls = answerClass(c.scale, c.score, c.detractor);
    answeredBy[cls] += c.answers;
    counts.get(c.whatMattered)![cls] += c.answers;
  }
  const answeredQuestion = answeredBy.detractor + answeredBy.passive + answeredBy.promoter;
  const dimensions: DimensionShare[] = DIMENSIONS.map((dimension) => {
    const n = counts.get(dimension)!;
    const detractorShare = ratio(n.detractor, answeredBy.detractor);
    const promoterShare = ratio(n.promoter, answeredBy.promoter);
    const all = n.detractor + n.passive + n.promoter;
    return {
      dimension,
      detractors: n.detractor,
      detractorShare,
      passives: n.passive,
      promoters: n.promoter,
      promoterShare,
      all,
      allShare: ratio(all, answeredQuestion),
      gap: detractorShare === null && promoterShare === null ? null : (detractorShare ?? 0) - (promoterShare ?? 0),
    };
  });
  const pick = (sign: 1 | -1): Dimension | null => {
    let best: DimensionShare | null = null;
    for (const d of dimensions) {
      if (d.dimension === 'other' || d.gap === null || sign * d.gap <= 0) continue;
      if (!best || sign * d.gap > sign * best.gap!) best = d;
    }
    return best?.dimension ?? null;
  };
  return { key, label, answers, answeredQuestion, answeredBy, dimensions, drivesDetractors: pick(1), drivesPromoters: pick(-1) };
}
