import { csat, ces, funnel, nps } from '../rules/scores.js';
import type { Scale } from '../rules/scales.js';
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
  const byScale: Record<Scale, number[]> = { csat: [], nps: [], ces: [] };
  let sent = 0;
  let delivered = 0;
  let detractors = 0;
  for (const c of cells) {
    sent += c.surveys;
    delivered += c.delivered;
    if (c.score === null) continue;
    // Expanding counts into scores keeps one definition of each formula (scores.ts); cells are few.
    for (let i = 0; i < c.surveys; i++) byScale[c.scale].push(c.score);
    if (c.detractor) detractors += c.surveys;
  }
  const answered = byScale.csat.length + byScale.nps.length + byScale.ces.length;
  const f = funnel(sent, delivered, answered);
  return {
    funnel: { ...f, delivered: opts.deliveryTracked ? delivered : null },
    csat: byScale.csat.length ? csat(byScale.csat) : null,
    nps: byScale.nps.length ? nps(byScale.nps) : null,
    ces: byScale.ces.length ? ces(byScale.ces) : null,
    detractors,
  };
}

/** Figures withheld to protect individuals: nothing in them allows working back to the answers. */
export function hiddenFigures(): Figures {
  return { funnel: { sent: 0, delivered: null, answered: 0, responseRate: null }, csat: null, nps: null, ces: null, detractors: 0, hidden: true };
}

export const answeredIn = (cells: readonly Cell[]) => cells.reduce((n, c) => n + (c.score === null ? 0 : c.surveys), 0);
