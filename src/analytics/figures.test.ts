import { describe, expect, it } from 'vitest';
import { wilson } from '../rules/scores.js';
import { answeredIn, figuresFrom, type Cell } from './figures.js';

const cell = (scale: Cell['scale'], score: number | null, surveys = 1, extra: Partial<Cell> = {}): Cell => ({ scale, score, surveys, delivered: 0, detractor: false, ...extra });

describe('figures from histogram cells', () => {
  it('NPS over 0, 6, 7, 8, 9, 10, 10: 3 promoters, 2 passives, 2 detractors → +14.3', () => {
    const f = figuresFrom([0, 6, 7, 8, 9, 10, 10].map((s) => cell('nps', s, 1, { detractor: s <= 6 })), { deliveryTracked: false });
    expect(f.nps).toEqual({ n: 7, promoters: 3, passives: 2, detractors: 2, score: 14.3, margin: 61.7, interval: { low: -47.4, high: 76 } });
    expect(f.detractors).toBe(2);
    expect(f.csat).toBeNull();
  });

  it('CSAT is the top-two-box share with a Wilson interval; counts in cells weigh like answers', () => {
    const f = figuresFrom([cell('csat', 5, 2), cell('csat', 4), cell('csat', 3), cell('csat', 1, 1, { detractor: true }), cell('csat', null, 3, { delivered: 2 })], { deliveryTracked: true });
    expect(f.csat).toEqual({ n: 5, topTwo: 3, share: 0.6, interval: wilson(3, 5) });
    expect(f.funnel).toEqual({ sent: 8, delivered: 2, answered: 5, responseRate: 5 / 8 });
    expect(answeredIn([cell('csat', 5, 2), cell('csat', null, 3)])).toBe(2);
  });

  it('CES is the mean; an empty scope has no figures but a zero funnel', () => {
    expect(figuresFrom([cell('ces', 7), cell('ces', 5), cell('ces', 2)], { deliveryTracked: false }).ces).toEqual({ n: 3, mean: 4.67, margin: 6.25, interval: { low: 1, high: 7 } });
    const empty = figuresFrom([], { deliveryTracked: false });
    expect(empty).toEqual({ funnel: { sent: 0, delivered: null, answered: 0, responseRate: null }, csat: null, nps: null, ces: null, detractors: 0 });
  });
});
