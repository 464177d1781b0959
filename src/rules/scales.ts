/** Survey scales: the values a customer can pick, and where unhappy ends by default (DESIGN.md). */
export const SCALES = {
  csat: { min: 1, max: 5, detractorMax: 2 },
  nps: { min: 0, max: 10, detractorMax: 6 },
  ces: { min: 1, max: 7, detractorMax: 3 },
} as const;

export type Scale = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as Scale[];

export function scaleValues(scale: Scale): number[] {
  const { min, max } = SCALES[scale];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

export function isValidScore(scale: Scale, score: unknown): score is number {
  return typeof score === 'number' && Number.isInteger(score) && score >= SCALES[scale].min && score <= SCALES[scale].max;
}
