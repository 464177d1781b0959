import { suppress, type Relation, type SuppressionCell } from './complementary.js';

/**
 * The shape every stats report has: rows (groups) with a figure for the whole range and one per
 * period, and optionally their margins (the total, and each period's total over the rows). The
 * relations the published figures expose are the additions of that shape:
 *   row total = Σ its periods,   period total = Σ rows in that period,
 *   total = Σ row totals,        total = Σ period totals.
 */
export interface CrossTable<T> {
  /** null when the total is not published (the public scoreboard). */
  total: T | null;
  /** null when period totals are not published; [] without periods. */
  periodTotals: T[] | null;
  rows: { total: T; periods: T[] }[];
}

export interface Protection {
  /** Row figures are about one person (agents): withheld below the minimum. */
  rows: boolean;
  /** The total and period totals are about one person too (a report filtered to one agent). */
  margins: boolean;
  /** false when the margins are not published at all (the public scoreboard shows teams only). */
  marginsPublished?: boolean;
}

const MARGIN_WEIGHT = { rowTotal: 1_000, periodTotal: 10_000, total: 100_000 };

/** Which figures of a cross table to withhold, in the same shape (see suppress). */
export function suppressCrossTable<T>(table: CrossTable<T>, measure: (x: T) => { surveys: number; answered: number }, protection: Protection, minAnswers: number): CrossTable<boolean> {
  const cells: SuppressionCell[] = [];
  const add = (x: T, isProtected: boolean, weight: number) => cells.push({ ...measure(x), protected: isProtected, weight }) - 1;
  // Cover is taken from the inside out: a row's periods before its total, rows before a period's
  // total, and the grand total last of all.
  const total = table.total === null ? null : add(table.total, protection.margins, MARGIN_WEIGHT.total);
  const periodTotals = table.periodTotals?.map((p) => add(p, protection.margins, MARGIN_WEIGHT.periodTotal)) ?? null;
  const rows = table.rows.map((r) => ({ total: add(r.total, protection.rows, MARGIN_WEIGHT.rowTotal), periods: r.periods.map((p) => add(p, protection.rows, 0)) }));

  const relations: Relation[] = [];
  if (total !== null && periodTotals?.length) relations.push({ parent: total, children: periodTotals });
  if (total !== null && rows.length) relations.push({ parent: total, children: rows.map((r) => r.total) });
  for (const r of rows) if (r.periods.length) relations.push({ parent: r.total, children: r.periods });
  if (periodTotals && rows.length) periodTotals.forEach((p, j) => relations.push({ parent: p, children: rows.map((r) => r.periods[j]!) }));

  const hidden = suppress({ cells, relations }, minAnswers);
  return {
    total: total === null ? null : hidden[total]!,
    periodTotals: periodTotals?.map((i) => hidden[i]!) ?? null,
    rows: rows.map((r) => ({ total: hidden[r.total]!, periods: r.periods.map((i) => hidden[i]!) })),
  };
}
