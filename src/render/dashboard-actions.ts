import type { DashboardExtras } from '../analytics/dashboard/extras.js';
import type { DimensionFigures } from '../analytics/dimensions/figures.js';
import type { RecoveryFigures } from '../analytics/recovery/figures.js';
import type { GroupFigures, PeriodFigures, StatsReport, TimeInterval } from '../analytics/types.js';
import { DIMENSIONS, type Dimension } from '../rules/dimensions.js';

/**
 * The dashboard's issue-15 sections (templates/pages/partials/dashboard-actions.hbs): the response-rate
 * trend, recovery effectiveness, and "what mattered most". View models only (strings), like
 * analytics-pages.ts; the response-rate chart's data goes into the page's one JSON block.
 */
const NONE = '—';
const pct = (x: number | null | undefined) => (x === null || x === undefined ? NONE : `${Math.round(x * 100)}%`);
const n = (x: number) => new Intl.NumberFormat('en-GB').format(x);

export const DIMENSION_TEXT: Record<Dimension, { name: string; hint: string }> = {
  responsiveness: { name: 'Responsiveness', hint: 'speed' },
  reliability: { name: 'Reliability', hint: 'fixed first time' },
  assurance: { name: 'Assurance', hint: 'knowledge, confidence' },
  empathy: { name: 'Empathy', hint: 'courtesy, understanding' },
  other: { name: 'Other', hint: '' },
};

function minutesText(m: number | null): string {
  if (m === null) return NONE;
  if (m < 90) return `${Math.round(m)} min`;
  const h = m / 60;
  return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}

function recoveryRow(f: RecoveryFigures) {
  const cells = [
    { label: 'Detractors with a task', text: n(f.detractors), cls: 'num' },
    { label: 'Closed on time', text: f.detractors ? `${pct(f.closedOnTimeShare)} (${n(f.closedOnTime)})` : NONE, cls: 'num' },
    { label: 'Never reached', text: f.detractors ? `${pct(f.neverReachedShare)} (${n(f.neverReached)})` : NONE, cls: 'num' },
    { label: 'Median time to contact', text: minutesText(f.medianMinutesToContact), cls: 'num' },
    { label: 'Answered again', text: n(f.withNextAnswer), cls: 'num' },
    { label: 'Recovery rate', text: f.withNextAnswer ? `${pct(f.recoveryRate)} (${n(f.recovered)} of ${n(f.withNextAnswer)})` : NONE, cls: 'num' },
    // Codes are words: they wrap (a "num" cell never does).
    { label: 'Outcomes', text: Object.entries(f.outcomes).map(([code, c]) => `${code} ${n(c)}`).join(', ') || NONE, cls: 'prose' },
  ];
  return { label: f.label || f.key || '(none)', cells };
}

function dimensionRow(f: DimensionFigures) {
  return {
    label: f.label || f.key || '(none)',
    answered: `${n(f.answeredQuestion)} of ${n(f.answers)}`,
    cells: DIMENSIONS.map((d) => {
      const s = f.dimensions.find((x) => x.dimension === d)!;
      return { label: DIMENSION_TEXT[d].name, text: `${pct(s.detractorShare)} / ${pct(s.promoterShare)}` };
    }),
    drives: f.drivesDetractors ? DIMENSION_TEXT[f.drivesDetractors].name : NONE,
    delights: f.drivesPromoters ? DIMENSION_TEXT[f.drivesPromoters].name : NONE,
  };
}

/** Response rate per period and team: a line per team (and the total), gaps where nothing was sent. */
export function responseRateTrend(report: StatsReport, labels: string[], titles: string[], partial: boolean[]) {
  const periods = [...new Set(report.total.series.map((p) => p.period))].sort();
  const line = (label: string, total: boolean, series: PeriodFigures[]) => {
    const by = new Map(series.map((p) => [p.period, p]));
    return { label, total, values: periods.map((p) => (by.get(p)?.funnel.sent ? Math.round((by.get(p)!.funnel.responseRate ?? 0) * 1000) / 10 : null)), n: periods.map((p) => by.get(p)?.funnel.sent ?? 0) };
  };
  const series = [...report.groups.filter((g: GroupFigures) => !g.hidden).map((g) => line(g.label || g.key, false, g.series)), ...(report.groups.length > 1 ? [line('All teams', true, report.total.series)] : [])];
  return { labels, titles, partial, series };
}

export function dashboardActions(extras: DashboardExtras | undefined, opts: { perAgent: boolean; interval: TimeInterval }) {
  if (!extras) return null;
  const r = extras.recovery;
  const d = extras.dimensions;
  return {
    perAgent: opts.perAgent,
    perAgentText: 'Recovery and “what mattered most” are not shown per agent.',
    rateChart: opts.interval !== 'none',
    recovery: r
      ? {
          total: recoveryRow(r.total),
          rows: r.groups.map(recoveryRow),
          empty: r.total.detractors === 0,
          recent: r.recent.slice(0, 10).map((x) => ({
            ticket: x.ticket ?? NONE,
            team: x.team,
            task: x.task ?? NONE,
            onTime: x.closedOnTime === null ? (x.status === 'open' ? 'open' : NONE) : x.closedOnTime ? 'yes' : 'late',
            outcome: x.outcomeCode ?? (x.closedAt ? 'no code' : NONE),
            next: x.next ? `${x.next.scale.toUpperCase()} ${x.next.score}${x.next.detractor ? ' (still unhappy)' : ''}` : NONE,
          })),
          themes: r.closeNoteThemes.overall.terms.slice(0, 8).map((t) => `${t.term} (${n(t.count)})`),
        }
      : null,
    dimensions: d
      ? {
          heads: DIMENSIONS.map((x) => ({ name: DIMENSION_TEXT[x].name, hint: DIMENSION_TEXT[x].hint })),
          total: dimensionRow(d.total),
          rows: d.groups.map(dimensionRow),
          empty: d.total.answeredQuestion === 0,
        }
      : null,
  };
}
