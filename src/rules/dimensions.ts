import type { Scale } from './scales.js';

/**
 * "What mattered most?" — the service-quality dimensions of the practice (SERVQUAL, without
 * tangibles), asked as an optional second question on the survey page. Pure.
 */
export const DIMENSIONS = ['responsiveness', 'reliability', 'assurance', 'empathy', 'other'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const isDimension = (v: unknown): v is Dimension => typeof v === 'string' && (DIMENSIONS as readonly string[]).includes(v);

/**
 * How a standing answer counts in the dimension analysis: a detractor by its connector's threshold
 * (followUp.detractorMax), a promoter at the top of its scale (CSAT 4–5, NPS 9–10, CES 6–7: the
 * top-two boxes, NPS's own promoters), otherwise passive.
 */
export type AnswerClass = 'detractor' | 'passive' | 'promoter';

export function answerClass(scale: Scale, score: number, detractor: boolean): AnswerClass {
  if (detractor) return 'detractor';
  const promoter = scale === 'csat' ? score >= 4 : scale === 'nps' ? score >= 9 : score >= 6;
  return promoter ? 'promoter' : 'passive';
}
