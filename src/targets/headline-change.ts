import type { AnalyticsReader } from '../analytics/reader.js';
import { statsReport } from '../analytics/stats.js';
import type { Figures } from '../analytics/types.js';
import { followUpOnTime, type Scope } from './follow-up-on-time.js';
import { precedingRange, ymd, type DayRange } from './periods.js';

/**
 * Every headline figure of a range against the range of equal length just before it (the dashboard's
 * "change against the previous period"): CSAT, NPS, CES, response rate, detractors, follow-up on time.
 */
export const HEADLINE_FIGURES = ['csat', 'nps', 'ces', 'responseRate', 'detractors', 'followUpOnTime'] as const;
export type HeadlineFigure = (typeof HEADLINE_FIGURES)[number];

export interface HeadlineValue {
  figure: HeadlineFigure;
  /** CSAT, response rate and follow-up on time in %; NPS in points; CES the mean on 1–7; detractors a count. */
  current: number | null;
  previous: number | null;
  /** current − previous (percentage points for shares); null unless both exist. */
  change: number | null;
  /** The figures' bases (answers of the scale, surveys sent, follow-ups judged; answers for detractors). */
  n: { current: number; previous: number };
}

export interface HeadlineChange {
  current: { from: string; to: string };
  previous: { from: string; to: string };
  figures: HeadlineValue[];
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const inclusive = (r: DayRange) => ({ from: ymd(r.from), to: ymd(new Date(r.to.getTime() - 86_400_000)) });

interface Totals {
  figures: Figures;
  onTime: { judged: number; onTime: number };
}

function value(figure: HeadlineFigure, t: Totals): { value: number | null; n: number } {
  const f = t.figures;
  switch (figure) {
    case 'csat':
      return { value: f.csat?.share == null ? null : round(f.csat.share * 100, 2), n: f.csat?.n ?? 0 };
    case 'nps':
      return { value: f.nps?.score ?? null, n: f.nps?.n ?? 0 };
    case 'ces':
      return { value: f.ces?.mean ?? null, n: f.ces?.n ?? 0 };
    case 'responseRate':
      return { value: f.funnel.responseRate === null ? null : round(f.funnel.responseRate * 100, 2), n: f.funnel.sent };
    case 'detractors':
      return { value: f.funnel.answered ? f.detractors : null, n: f.funnel.answered };
    case 'followUpOnTime':
      return { value: t.onTime.judged ? round((t.onTime.onTime / t.onTime.judged) * 100, 2) : null, n: t.onTime.judged };
  }
}

/** Pure: the two ranges' totals in, the comparison out. */
export function compareHeadlines(current: Totals, previous: Totals, ranges: { current: DayRange; previous: DayRange }): HeadlineChange {
  return {
    current: inclusive(ranges.current),
    previous: inclusive(ranges.previous),
    figures: HEADLINE_FIGURES.map((figure) => {
      const c = value(figure, current);
      const p = value(figure, previous);
      return { figure, current: c.value, previous: p.value, change: c.value !== null && p.value !== null ? round(c.value - p.value, 2) : null, n: { current: c.n, previous: p.n } };
    }),
  };
}

async function totals(reader: AnalyticsReader, range: DayRange, scope: Scope, minGroupSize: number, now: Date): Promise<Totals> {
  const [stats, onTime] = await Promise.all([
    statsReport(reader, { filter: { from: range.from, to: range.to, connectorId: scope.connectorId, team: scope.team }, groupBy: 'none', interval: 'none', withinMinutes: 15 }, minGroupSize),
    followUpOnTime(reader, range, scope, now),
  ]);
  return { figures: stats.total, onTime: onTime.reduce((a, r) => ({ judged: a.judged + r.judged, onTime: a.onTime + r.onTime }), { judged: 0, onTime: 0 }) };
}

export async function loadHeadlineChange(reader: AnalyticsReader, range: DayRange, scope: Scope, minGroupSize: number, now: Date): Promise<HeadlineChange> {
  const previous = precedingRange(range);
  const [c, p] = await Promise.all([totals(reader, range, scope, minGroupSize, now), totals(reader, previous, scope, minGroupSize, now)]);
  return compareHeadlines(c, p, { current: range, previous });
}
