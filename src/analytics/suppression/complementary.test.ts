import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppress, type SuppressionTable } from './complementary.js';
import { suppressCrossTable, type CrossTable, type Protection } from './cross-table.js';

interface Counts {
  surveys: number;
  answered: number;
}
const c = (answered: number, surveys = answered + 1): Counts => ({ surveys, answered });
const sum = (xs: Counts[]): Counts => xs.reduce((a, b) => ({ surveys: a.surveys + b.surveys, answered: a.answered + b.answered }), { surveys: 0, answered: 0 });
const id = (x: Counts) => x;

/** A cross table with its margins computed from the cells, as a report has them. */
function table(cells: Counts[][], periods: number, margins = true): CrossTable<Counts> {
  const rows = cells.map((r) => ({ total: sum(r), periods: r }));
  const periodTotals = Array.from({ length: periods }, (_, j) => sum(cells.map((r) => r[j]!)));
  return { total: margins ? sum(rows.map((r) => r.total)) : null, periodTotals: margins ? periodTotals : null, rows };
}
const AGENTS: Protection = { rows: true, margins: false };

describe('complementary suppression', () => {
  it('a team total minus its visible agents does not give the small agent: a second agent is withheld', () => {
    // Team = A 10 + B 3 + C 8 answers; B is below 5, so C (the cheaper cover) goes too, and the team stays.
    const t = table([[c(10)], [c(3)], [c(8)]], 0);
    const h = suppressCrossTable({ ...t, periodTotals: [], rows: t.rows.map((r) => ({ total: r.total, periods: [] })) }, id, AGENTS, 5);
    expect(h.rows.map((r) => r.total)).toEqual([false, true, true]);
    expect(h.total).toBe(false);
  });

  it('withholds the remainder when no other agent can cover: a team of one small agent', () => {
    const h = suppressCrossTable({ total: c(3), periodTotals: [], rows: [{ total: c(3), periods: [] }] }, id, AGENTS, 5);
    expect(h).toEqual({ total: true, periodTotals: [], rows: [{ total: true, periods: [] }] });
  });

  it("an agent's total minus the shown weeks does not give the hidden week", () => {
    // Agent A: weeks 9, 2, 7 answers (the 2 is withheld); agent B: 6, 6, 6. Margins shown.
    const h = suppressCrossTable(table([[c(9), c(2), c(7)], [c(6), c(6), c(6)]], 3), id, AGENTS, 5);
    const a = h.rows[0]!;
    expect(a.periods[1]).toBe(true);
    expect(a.periods.filter(Boolean).length + (a.total ? 1 : 0)).toBeGreaterThanOrEqual(2);
    // Week 2's total minus B's week 2 would give A's week 2: B's week 2 is withheld too.
    expect(h.rows[1]!.periods[1]).toBe(true);
    // The margins (team totals per week) stay shown: other agents' cells were enough.
    expect(h.total).toBe(false);
    expect(h.periodTotals).toEqual([false, false, false]);
  });

  it('a week without surveys covers nothing (anyone may guess it is 0)', () => {
    const h = suppress(
      {
        cells: [{ surveys: 10, answered: 9, protected: true }, { surveys: 3, answered: 3, protected: true }, { surveys: 0, answered: 0, protected: true }, { surveys: 7, answered: 6, protected: true }],
        relations: [{ parent: 0, children: [1, 2, 3] }],
      },
      5,
    );
    // The empty week is withheld (small) but cannot hide the 3: the 6 goes as well.
    expect(h).toEqual([false, true, true, true]);
  });

  it('hides nothing when nothing is protected or everything is large enough', () => {
    expect(suppressCrossTable(table([[c(1)], [c(2)]], 1), id, { rows: false, margins: false }, 5).rows.flatMap((r) => [r.total, ...r.periods])).toEqual([false, false, false, false]);
    expect(suppressCrossTable(table([[c(5)], [c(6)]], 1), id, AGENTS, 5).rows.flatMap((r) => [r.total, ...r.periods])).toEqual([false, false, false, false]);
  });

  it('refuses a cell in more than two relations (the bridge argument would not hold)', () => {
    const t: SuppressionTable = { cells: [c(1), c(1), c(1)].map((x) => ({ ...x, protected: true })), relations: [{ parent: 0, children: [1] }, { parent: 0, children: [2] }, { parent: 0, children: [1, 2] }] };
    expect(() => suppress(t, 5)).toThrow(/at most 2/);
  });

  it('scales to a year of weeks for 600 agents', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const cells = Array.from({ length: 600 }, () => Array.from({ length: 53 }, () => c(Math.floor(random() * 9), 12)));
    const h = suppressCrossTable(table(cells, 53), id, AGENTS, 5);
    expect(h.rows.some((r) => r.periods.some(Boolean))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: for random tables, no withheld figure can be worked out from the shown ones.

interface Generated {
  cells: Counts[][];
  periods: number;
  margins: boolean;
  protection: Protection;
  min: number;
}

const counts = fc.oneof(
  { arbitrary: fc.constant({ surveys: 0, answered: 0 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 12 }).chain((surveys) => fc.integer({ min: 0, max: surveys }).map((answered) => ({ surveys, answered }))), weight: 5 },
);
const generated: fc.Arbitrary<Generated> = fc
  .record({ rows: fc.integer({ min: 0, max: 6 }), periods: fc.integer({ min: 0, max: 5 }) })
  .chain(({ rows, periods }) =>
    fc.record({
      cells: fc.array(fc.array(counts, { minLength: Math.max(periods, 1), maxLength: Math.max(periods, 1) }), { minLength: rows, maxLength: rows }),
      periods: fc.constant(periods),
      margins: fc.boolean(),
      protection: fc.record({ rows: fc.boolean(), margins: fc.boolean() }),
      min: fc.integer({ min: 1, max: 8 }),
    }),
  );

/** The cells and relations a generated table publishes, with each cell's value and whether it is withheld. */
function published(g: Generated) {
  const rows = g.cells.map((r) => (g.periods ? { total: sum(r), periods: r } : { total: r[0]!, periods: [] }));
  const periodTotals = Array.from({ length: g.periods }, (_, j) => sum(g.cells.map((r) => r[j]!)));
  const t: CrossTable<Counts> = { total: g.margins ? sum(rows.map((r) => r.total)) : null, periodTotals: g.margins ? periodTotals : null, rows };
  const h = suppressCrossTable(t, id, g.protection, g.min);

  const values: Counts[] = [];
  const hidden: boolean[] = [];
  const isProtected: boolean[] = [];
  const add = (v: Counts, hide: boolean, p: boolean) => (values.push(v), hidden.push(hide), isProtected.push(p)) - 1;
  const total = t.total ? add(t.total, h.total!, g.protection.margins) : -1;
  const totals = t.periodTotals?.map((p, j) => add(p, h.periodTotals![j]!, g.protection.margins)) ?? [];
  const cells = t.rows.map((r, i) => ({ total: add(r.total, h.rows[i]!.total, g.protection.rows), periods: r.periods.map((p, j) => add(p, h.rows[i]!.periods[j]!, g.protection.rows)) }));
  const relations: { parent: number; children: number[] }[] = [];
  if (total >= 0 && totals.length) relations.push({ parent: total, children: totals });
  if (total >= 0 && cells.length) relations.push({ parent: total, children: cells.map((r) => r.total) });
  for (const r of cells) if (r.periods.length) relations.push({ parent: r.total, children: r.periods });
  if (totals.length && cells.length) totals.forEach((p, j) => relations.push({ parent: p, children: cells.map((r) => r.periods[j]!) }));
  return { values, hidden, isProtected, relations };
}

/**
 * Independent check by linear algebra: the withheld values (those with surveys; empty cells count as
 * known) are the unknowns of one equation per relation; a value is determined exactly when the unit
 * vector of its unknown lies in the row space, i.e. when a row of the reduced row echelon form has a
 * single non-zero entry.
 */
function determinedUnknowns(p: ReturnType<typeof published>): number[] {
  const unknowns = p.values.map((v, i) => (p.hidden[i] && v.surveys > 0 ? i : -1)).filter((i) => i >= 0);
  const column = new Map(unknowns.map((cell, k) => [cell, k]));
  const m = p.relations.map((r) => {
    const row = new Array<number>(unknowns.length).fill(0);
    if (column.has(r.parent)) row[column.get(r.parent)!]! += 1;
    for (const ch of r.children) if (column.has(ch)) row[column.get(ch)!]! -= 1;
    return row;
  });
  let lead = 0;
  for (let r = 0; r < m.length && lead < unknowns.length; lead++) {
    let pivot = m.findIndex((row, i) => i >= r && Math.abs(row[lead]!) > 1e-9);
    if (pivot < 0) continue;
    [m[r], m[pivot]] = [m[pivot]!, m[r]!];
    const pr = m[r]!;
    const scale = pr[lead]!;
    for (let k = 0; k < pr.length; k++) pr[k]! /= scale;
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![lead]!;
      if (Math.abs(f) > 1e-9) for (let k = 0; k < pr.length; k++) m[i]![k]! -= f * pr[k]!;
    }
    r++;
    pivot = -1;
  }
  return m.flatMap((row) => {
    const nz = row.map((v, k) => (Math.abs(v) > 1e-9 ? k : -1)).filter((k) => k >= 0);
    return nz.length === 1 ? [unknowns[nz[0]!]!] : [];
  });
}

describe('complementary suppression: property', () => {
  it('withholds every small protected figure, and none can be derived as parent − Σ shown children, nor by any other sum', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const p = published(g);
        // Primary: every protected figure below the minimum is withheld.
        p.values.forEach((v, i) => {
          if (p.isProtected[i] && v.answered < g.min) expect(p.hidden[i], `cell ${i}`).toBe(true);
        });
        for (const r of p.relations) {
          // Exactly one withheld member with surveys: parent − Σ shown children gives it (or, for a
          // withheld parent, Σ children). Members without surveys are taken as known zeros.
          const members = [r.parent, ...r.children].filter((i) => p.hidden[i] && p.values[i]!.surveys > 0);
          expect(members.length, `relation ${JSON.stringify(r)}`).not.toBe(1);
        }
        // Nor by any combination of relations (e.g. row totals minus column totals).
        expect(determinedUnknowns(p)).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('the linear check finds a derivable figure when suppression is only primary (so the property means something)', () => {
    // Agent A: 9 + 2 (withheld) + 7 answers, total shown: the 2 is derivable.
    const values = [c(18), c(9), c(2), c(7)];
    const p = { values, hidden: [false, false, true, false], isProtected: [true, true, true, true], relations: [{ parent: 0, children: [1, 2, 3] }] };
    expect(determinedUnknowns(p)).toEqual([2]);
  });
});
