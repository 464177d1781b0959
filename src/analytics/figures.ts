import { cesOf, csatOf, funnel, npsOf } from '../rules/scores.js';
import type { Scale } from '../rules/scales.js';
import { cesMargin, npsMargin } from './margins.js';
import type { Figures } from './types.js';

/**
 * Pure aggregation: histogram cells (as one grouped SQL query returns them) in, figures out.
 * A cell counts sent surveys of one scale with one active score (null = not answered).
 */
export interface Cell {
  scale: Scale;
  score: number | null;
  detractor: boolean;
  surveys: number;
  delivered: number;
}

export function figuresFrom(cells: readonly Cell[], opts: { deliveryTracked: boolean }): Figures {
  // Counts per scale; the formulas are those of scores.ts, fed with counts (a cell can hold millions).
  const n = { csat: 0, nps: 0, ces: 0 };
  let csatTop = 0;
  let promoters = 0;
  let npsDetractors = 0;
  let cesSum = 0;
  let cesSumOfSquares = 0;
  let sent = 0;
  let delivered = 0;
  let detractors = 0;
  for (const c of cells) {
    sent += c.surveys;
    delivered += c.delivered;
    if (c.score === null) continue;
    n[c.scale] += c.surveys;
    if (c.scale === 'csat' && c.score >= 4) csatTop += c.surveys;
    if (c.scale === 'nps' && c.score >= 9) promoters += c.surveys;
    if (c.scale === 'nps' && c.score <= 6) npsDetractors += c.surveys;
    if (c.scale === 'ces') {
      cesSum += c.score * c.surveys;
      cesSumOfSquares += c.score * c.score * c.surveys;
    }
    if (c.detractor) detractors += c.surveys;
  }
  const answered = n.csat + n.nps + n.ces;
  const f = funnel(sent, delivered, answered);
  return {
    funnel: { ...f, delivered: opts.deliveryTracked ? delivered : null },
    csat: n.csat ? csatOf(csatTop, n.csat) : null,
    nps: n.nps ? withMargin(npsOf(promoters, npsDetractors, n.nps), npsMargin(promoters, npsDetractors, n.nps)) : null,
    ces: n.ces ? withMargin(cesOf(cesSum, n.ces), cesMargin(cesSum, cesSumOfSquares, n.ces)) : null,
    detractors,
  };
}

const withMargin = <T extends object>(figure: T, m: ReturnType<typeof npsMargin>) => ({ ...figure, margin: m?.margin ?? null, interval: m?.interval ?? null });

/** Figures withheld to protect individuals: nothing in them allows working back to the answers. */
export function hiddenFigures(): Figures {
  return { funnel: { sent: 0, delivered: null, answered: 0, responseRate: null }, csat: null, nps: null, ces: null, detractors: 0, hidden: true };
}

export const answeredIn = (cells: readonly Cell[]) => cells.reduce((n, c) => n + (c.score === null ? 0 : c.surveys), 0);
