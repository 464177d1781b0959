import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, planSources, type DayRange, type SourcePlan } from './plan.js';

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const show = (rs: DayRange[]) => rs.map((r) => `${r.from.toISOString().slice(0, 10)}..${new Date(r.to.getTime() - DAY_MS).toISOString().slice(0, 10)}`);
const all = (p: SourcePlan) => ({ months: show(p.months), days: show(p.days), facts: show(p.facts) });

describe('planSources', () => {
  it('reads whole held months from monthly rollups, held edges from daily rows, recent days from facts', () => {
    const p = planSources(d('2026-01-15'), d('2026-05-10'), { until: d('2026-04-20'), dirty: new Set() }, { month: true, day: true });
    expect(all(p)).toEqual({ months: ['2026-02-01..2026-03-31'], days: ['2026-01-15..2026-01-31', '2026-04-01..2026-04-19'], facts: ['2026-04-20..2026-05-09'] });
  });

  it('without daily rows (agents, categories), held edges come from facts', () => {
    const p = planSources(d('2026-01-15'), d('2026-05-10'), { until: d('2026-04-20'), dirty: new Set() }, { month: true, day: false });
    expect(all(p)).toEqual({ months: ['2026-02-01..2026-03-31'], days: [], facts: ['2026-01-15..2026-01-31', '2026-04-01..2026-05-09'] });
  });

  it('a dirty day is read from facts and keeps its month out of the monthly rollup', () => {
    const p = planSources(d('2026-01-01'), d('2026-04-01'), { until: d('2026-05-01'), dirty: new Set(['2026-02-10']) }, { month: true, day: true });
    expect(all(p)).toEqual({ months: ['2026-01-01..2026-01-31', '2026-03-01..2026-03-31'], days: ['2026-02-01..2026-02-09', '2026-02-11..2026-02-28'], facts: ['2026-02-10..2026-02-10'] });
  });

  it('nothing held yet: everything from facts; weekly trends use daily rows only', () => {
    expect(all(planSources(d('2026-01-01'), d('2026-02-01'), { until: null, dirty: new Set() }, { month: true, day: true }))).toEqual({ months: [], days: [], facts: ['2026-01-01..2026-01-31'] });
    expect(all(planSources(d('2026-01-01'), d('2026-03-01'), { until: d('2026-03-01'), dirty: new Set() }, { month: false, day: true }))).toEqual({ months: [], days: ['2026-01-01..2026-02-28'], facts: [] });
  });

  it('many scattered dirty days: at most the limit of fact ranges, the shortest gaps read from facts', () => {
    const dirty = new Set(Array.from({ length: 30 }, (_, i) => new Date(d('2025-01-01').getTime() + i * 9 * DAY_MS).toISOString().slice(0, 10)));
    const p = planSources(d('2025-01-01'), d('2026-01-01'), { until: d('2026-01-01'), dirty }, { month: false, day: true }, 5);
    expect(p.facts.length).toBeLessThanOrEqual(5);
    for (const day of dirty) expect(p.facts.some((r) => r.from <= d(day) && d(day) < r.to), day).toBe(true);
  });

  it('property: every day of the range is read exactly once, and only held days from rollups', () => {
    const start = d('2024-01-01').getTime();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        fc.option(fc.integer({ min: -50, max: 1100 }), { nil: null }),
        fc.array(fc.integer({ min: 0, max: 1100 }), { maxLength: 40 }),
        fc.record({ month: fc.boolean(), day: fc.boolean() }),
        fc.integer({ min: 1, max: 30 }),
        (a, len, untilDay, dirtyDays, grains, max) => {
          const from = new Date(start + a * DAY_MS);
          const to = new Date(from.getTime() + len * DAY_MS);
          const state = { until: untilDay === null ? null : new Date(start + untilDay * DAY_MS), dirty: new Set(dirtyDays.map((x) => new Date(start + x * DAY_MS).toISOString().slice(0, 10))) };
          const p = planSources(from, to, state, grains, max);
          const seen = new Map<number, string>();
          const mark = (rs: DayRange[], kind: string) => {
            for (const r of rs) for (let t = r.from.getTime(); t < r.to.getTime(); t += DAY_MS) {
              expect(seen.has(t)).toBe(false);
              seen.set(t, kind);
              if (kind !== 'facts') {
                expect(state.until && t < state.until.getTime()).toBe(true);
                expect(state.dirty.has(new Date(t).toISOString().slice(0, 10))).toBe(false);
              }
            }
          };
          mark(p.facts, 'facts');
          mark(p.days, 'days');
          mark(p.months, 'months');
          expect(seen.size).toBe(len);
          for (const t of seen.keys()) expect(t >= from.getTime() && t < to.getTime()).toBe(true);
          if (!grains.day) expect(p.days).toEqual([]);
          if (!grains.month) expect(p.months).toEqual([]);
          for (const r of p.months) {
            expect(r.from.getUTCDate()).toBe(1);
            expect(r.to.getUTCDate()).toBe(1);
          }
          expect(p.facts.length).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 400 },
    );
  });
});
