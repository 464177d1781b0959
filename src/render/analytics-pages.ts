import type { CesFigure, CsatFigure, Figures, FollowUpFigures, GroupFigures, NpsFigure, PeriodFigures, StatsReport, TimeInterval } from '../analytics/types.js';
import type { DashboardView, ScoreboardView } from '../analytics/views.js';
import { SCALES, type Scale } from '../rules/scales.js';
import { analyticsAssets } from './analytics-assets.js';
import { messagesFor } from './locales.js';
import { renderTemplate, type TemplateName } from './templates.js';
import { actingContext, themeTermExtras } from './acting-on-feedback.js';
import { partialPeriods } from '../analytics/dashboard/partial-periods.js';
import { dashboardActions, responseRateTrend } from './dashboard-actions.js';

/**
 * The admin dashboard and the public scoreboard: views (src/analytics/views.ts) in, HTML out.
 *
 * Every text goes through handlebars escaping; chart data goes to the page as one JSON block
 * (`{{json}}`, safe inside <script type="application/json">) that templates/pages/dashboard.js
 * and scoreboard.js read and draw with Chart.js. The pages run under a CSP without inline scripts
 * or styles, so they carry no script, style="" or on*= of their own.
 *
 * Admin pages are in English; the scoreboard too (its figures need no translation).
 */

const NONE = '—';
const SCALE_ORDER: readonly Scale[] = ['csat', 'nps', 'ces'];
const SCALE_META: Record<Scale, { name: string; heading: string; unit: string; min: number | null; max: number | null }> = {
  csat: { name: 'CSAT', heading: 'CSAT (satisfied)', unit: '%', min: 0, max: 100 },
  nps: { name: 'NPS', heading: 'NPS', unit: '', min: -100, max: 100 },
  ces: { name: 'CES', heading: 'CES (1–7)', unit: '', min: 1, max: 7 },
};
const INTERVAL_TEXT: Record<TimeInterval, { option: string; adverb: string; axis: string }> = {
  day: { option: 'Daily', adverb: 'daily', axis: 'Day' },
  week: { option: 'Weekly', adverb: 'weekly', axis: 'Week starting' },
  month: { option: 'Monthly', adverb: 'monthly', axis: 'Month' },
  none: { option: 'Whole period', adverb: 'whole period', axis: 'Period' },
};
const NO_ANSWERS = 'No answers in this period';

// ---------------------------------------------------------------------------------------------
// Formatting (deterministic: fixed locale, UTC)

const numberFormat = new Intl.NumberFormat('en-GB');
const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const shortDayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

export const count = (n: number): string => numberFormat.format(n);

export function percent(share: number | null | undefined): string {
  return share === null || share === undefined || !Number.isFinite(share) ? NONE : `${Math.round(share * 100)}%`;
}

/** "82% (74–88%)": the share and its 95% Wilson interval. */
const signedOrNone = (x: number | null) => (x === null ? NONE : signed(x));

export function csatText(f: CsatFigure | null | undefined): string {
  if (!f || f.share === null) return NONE;
  const share = percent(f.share);
  return f.interval ? `${share} (${Math.round(f.interval.low * 100)}–${Math.round(f.interval.high * 100)}%)` : share;
}

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(Math.round(x))}`;
/** "+14 (±62)": the score and its 95% margin of error (src/analytics/margins.ts). */
export const npsText = (f: NpsFigure | null | undefined): string =>
  !f || f.score === null ? NONE : f.margin === null || f.margin === undefined ? signed(f.score) : `${signed(f.score)} (±${Math.round(f.margin)})`;
/** "4.7 (±1.1)": the mean and its 95% t-interval half-width. */
export const cesText = (f: CesFigure | null | undefined): string =>
  !f || f.mean === null ? NONE : f.margin === null || f.margin === undefined ? f.mean.toFixed(1) : `${f.mean.toFixed(1)} (±${f.margin.toFixed(1)})`;

function utcDate(ymd: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function dayText(ymd: string): string {
  const d = utcDate(ymd);
  return d ? dayFormat.format(d) : ymd;
}

/** "2025-03-04 10:22 UTC" for a timestamp; the input itself when it does not parse. */
export function timestampText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function periodLabels(period: string, interval: TimeInterval): { short: string; long: string } {
  const d = utcDate(period);
  if (!d) return { short: period, long: period };
  if (interval === 'month') return { short: monthFormat.format(d), long: monthFormat.format(d) };
  if (interval === 'week') return { short: shortDayFormat.format(d), long: `Week of ${dayFormat.format(d)}` };
  return { short: shortDayFormat.format(d), long: dayFormat.format(d) };
}

const groupLabel = (g: { label: string; key: string }) => g.label || g.key || '(none)';

// ---------------------------------------------------------------------------------------------
// Figures → chart values and table rows

function hasScale(f: Pick<Figures, 'csat' | 'nps' | 'ces'>, scale: Scale): boolean {
  const fig = f[scale];
  return !!fig && fig.n > 0;
}

/** The value a chart plots for one scale: CSAT in %, NPS score, CES mean; null for a gap. */
function scaleValue(f: Pick<Figures, 'csat' | 'nps' | 'ces'>, scale: Scale): number | null {
  if (scale === 'csat') return f.csat?.share === null || f.csat?.share === undefined ? null : Math.round(f.csat.share * 1000) / 10;
  if (scale === 'nps') return f.nps?.score ?? null;
  return f.ces?.mean ?? null;
}

function scaleText(f: Pick<Figures, 'csat' | 'nps' | 'ces'>, scale: Scale): string {
  return scale === 'csat' ? csatText(f.csat) : scale === 'nps' ? npsText(f.nps) : cesText(f.ces);
}

function valueText(value: number | null, scale: Scale): string {
  if (value === null) return NONE;
  return scale === 'csat' ? `${Math.round(value)}%` : scale === 'nps' ? signed(value) : value.toFixed(1);
}

interface Column {
  label: string;
  numeric: boolean;
}
interface Row {
  label: string;
  hidden: boolean;
  hiddenText: string;
  /** Column labels ride along with every cell: on a phone each cell shows its label (tables become cards). */
  cells: { text: string; title: string; label?: string; href?: string | null }[];
}
interface Table {
  caption: string;
  columns: Column[];
  rows: Row[];
  /** Columns after the group's name (a withheld row spans them). */
  span: number;
  fullSpan: number;
  emptyText: string;
}

function scalesOf(report: Pick<StatsReport, 'total' | 'groups'>): Scale[] {
  const found = SCALE_ORDER.filter((s) => hasScale(report.total, s) || report.groups.some((g) => hasScale(g, s)));
  return found.length ? found : ['csat'];
}

function figuresTable(report: StatsReport, opts: { caption: string; groupHeading: string; hiddenText: string; emptyText: string; drill?: (key: string, detractorsOnly: boolean) => string | null }): Table {
  const scales = scalesOf(report);
  const columns: Column[] = [
    { label: 'Answered', numeric: true },
    { label: 'Response rate', numeric: true },
    ...scales.map((s) => ({ label: SCALE_META[s].heading, numeric: true })),
    { label: 'Detractors', numeric: true },
  ];
  const rows: Row[] = report.groups.map((g: GroupFigures) => ({
    label: groupLabel(g),
    hidden: g.hidden === true,
    hiddenText: opts.hiddenText,
    cells: g.hidden
      ? []
      : labelled(columns, [
          { text: count(g.funnel.answered), title: '', href: g.funnel.answered ? (opts.drill?.(g.key, false) ?? null) : null },
          { text: percent(g.funnel.responseRate), title: `${count(g.funnel.answered)} of ${count(g.funnel.sent)} surveys sent` },
          ...scales.map((s) => ({ text: scaleText(g, s), title: hasScale(g, s) ? `${count(g[s]!.n)} answers` : '' })),
          { text: count(g.detractors), title: '', href: g.detractors ? (opts.drill?.(g.key, true) ?? null) : null },
        ]),
  }));
  return { caption: opts.caption, columns: [{ label: opts.groupHeading, numeric: false }, ...columns], rows, span: columns.length, fullSpan: columns.length + 1, emptyText: opts.emptyText };
}

const labelled = <T extends object>(columns: Column[], cells: T[]) => cells.map((c, i) => ({ ...c, label: columns[i]?.label ?? '' }));

function tiles(f: Figures) {
  const out: { label: string; value: string; note: string }[] = [
    { label: 'Surveys sent', value: count(f.funnel.sent), note: '' },
    { label: 'Answered', value: count(f.funnel.answered), note: '' },
    { label: 'Response rate', value: percent(f.funnel.responseRate), note: 'answered / sent' },
  ];
  if (hasScale(f, 'csat')) {
    const i = f.csat!.interval;
    out.push({ label: 'CSAT', value: percent(f.csat!.share), note: i ? `95% interval ${Math.round(i.low * 100)}–${Math.round(i.high * 100)}%` : '' });
  }
  if (hasScale(f, 'nps')) {
    const i = f.nps!.interval;
    out.push({ label: 'NPS', value: signedOrNone(f.nps!.score), note: `${count(f.nps!.promoters)} promoters, ${count(f.nps!.detractors)} detractors${i ? `; 95% interval ${signed(i.low)} to ${signed(i.high)}` : ''}` });
  }
  if (hasScale(f, 'ces')) {
    const i = f.ces!.interval;
    out.push({ label: 'CES', value: f.ces!.mean === null ? NONE : f.ces!.mean.toFixed(1), note: `mean on 1–7, higher is easier${i ? `; 95% interval ${i.low.toFixed(1)}–${i.high.toFixed(1)}` : ''}` });
  }
  out.push({ label: 'Detractors', value: count(f.detractors), note: 'unhappy answers' });
  return out;
}

interface TrendSeries {
  label: string;
  total: boolean;
  values: Partial<Record<Scale, (number | null)[]>>;
  n: Partial<Record<Scale, number[]>>;
}

/** One line per group (plus the total) over the union of the periods, for each scale with answers. */
function trendData(
  report: { total: Figures & { series: PeriodFigures[] }; groups: GroupFigures[] },
  interval: TimeInterval,
  totalLabel: string | null,
  opts: { minGroupSize?: number; partial?: (periods: string[]) => boolean[] } = {},
) {
  const min = opts.minGroupSize ?? 0;
  const periods = [...new Set([...report.total.series, ...report.groups.flatMap((g) => g.series)].map((p) => p.period))].sort();
  const scales = SCALE_ORDER.filter((s) => [report.total, ...report.groups].some((g) => g.series.some((p) => hasScale(p, s))));
  const seriesOf = (label: string, total: boolean, series: PeriodFigures[]): TrendSeries => {
    const byPeriod = new Map(series.map((p) => [p.period, p]));
    const values: TrendSeries['values'] = {};
    const n: TrendSeries['n'] = {};
    for (const s of scales) {
      values[s] = periods.map((p) => {
        const f = byPeriod.get(p);
        // Below the minimum group size a point is not drawn: a gap, not a line through one or two answers.
        return f && (f[s]?.n ?? 0) >= min ? scaleValue(f, s) : null;
      });
      n[s] = periods.map((p) => byPeriod.get(p)?.[s]?.n ?? 0);
    }
    return { label, total, values, n };
  };
  const series = report.groups.map((g) => seriesOf(groupLabel(g), false, g.series));
  if (totalLabel !== null && report.groups.length > 1) series.push(seriesOf(totalLabel, true, report.total.series));
  const partial = opts.partial?.(periods) ?? periods.map(() => false);
  const labels = periods.map((p) => periodLabels(p, interval));
  return {
    axis: INTERVAL_TEXT[interval].axis,
    labels: labels.map((l, i) => (partial[i] ? `${l.short}*` : l.short)),
    titles: labels.map((l, i) => (partial[i] ? `${l.long} (partial period)` : l.long)),
    partial,
    minGroupSize: min,
    scales: scales.map((s) => ({ id: s, name: SCALE_META[s].name, unit: SCALE_META[s].unit, min: SCALE_META[s].min, max: SCALE_META[s].max })),
    series,
  };
}

/** Text equivalent of the trend chart: one table per scale, periods down, series across. */
function trendTables(trend: ReturnType<typeof trendData>) {
  return trend.scales.map((s) => ({
    caption: `${s.name} by ${trend.axis.toLowerCase()}`,
    axis: trend.axis,
    heads: trend.series.map((x) => x.label),
    rows: trend.titles.map((title, i) => ({
      period: title,
      cells: trend.series.map((x) => {
        const v = x.values[s.id]?.[i] ?? null;
        const n = x.n[s.id]?.[i] ?? 0;
        if (v === null && n > 0) return `${NONE} (n=${count(n)}, fewer than ${count(trend.minGroupSize)})`;
        return v === null ? NONE : `${valueText(v, s.id)} (n=${count(n)})`;
      }),
    })),
  }));
}

// ---------------------------------------------------------------------------------------------
// Pages

interface Scripts {
  scripts: string[];
}

function layoutBase(pageTitle: string, noindex: boolean, scripts: string[]): { pageTitle: string; noindex: boolean; cssUrl: string } & Scripts {
  return { pageTitle, noindex, cssUrl: analyticsAssets().css.url, scripts };
}

function render(name: TemplateName, context: object): string {
  return renderTemplate(name, context, { messages: messagesFor('en'), locale: 'en' });
}

function followUpCells(f: FollowUpFigures) {
  const share = (x: number | null, part: number) => (x === null ? NONE : `${percent(x)} (${count(part)})`);
  return [
    count(f.detractors),
    count(f.tasksCreated),
    share(f.createdQuicklyShare, f.createdQuickly),
    share(f.closedWithinDueShare, f.closedWithinDue),
    count(f.open),
    count(f.overdueNow),
    count(f.overdue),
    count(f.escalated),
    count(f.outcomesRecorded),
  ];
}

function withQuery(path: string, query: string, extra?: string): string {
  const q = [query.replace(/^[?&]+/, ''), extra].filter((x): x is string => !!x).join('&');
  return q ? `${path}?${q}` : path;
}

export function renderDashboard(view: DashboardView): string {
  const assets = analyticsAssets();
  const { filter, byTeam, byAgent, byCategory, followUps, themes } = view;
  const interval = filter.interval;
  const total = byTeam.total;
  const anyAnswers = total.funnel.answered > 0 || byTeam.groups.some((g) => g.funnel.answered > 0);

  const extras = view.extras;
  const trend = trendData(byTeam, interval, 'All teams', {
    minGroupSize: extras?.minGroupSize,
    partial: extras ? (periods) => partialPeriods(periods, interval, filter.from, filter.to, new Date(extras.now)) : undefined,
  });
  // Drill-down: every count links to the answers behind it (never per agent: one person's customers).
  const drillBase = Object.entries({ from: filter.from, to: filter.to, connector: filter.connector, team: filter.team, category: filter.category ?? '', priority: filter.priority ?? '' }).filter(([, v]) => v !== '');
  const drill = view.perAgent
    ? undefined
    : (extra: Record<string, string>) => `/admin/dashboard/answers?${new URLSearchParams([...drillBase.filter(([k]) => !(k in extra)), ...Object.entries(extra)]).toString()}`;
  const trendState = !anyAnswers || trend.scales.length === 0 ? 'empty' : trend.labels.length === 0 ? 'no-periods' : 'chart';
  const funnel = total.funnel;
  const deliveredShare = funnel.delivered !== null && funnel.sent > 0 ? funnel.delivered / funnel.sent : null;

  const connector = view.connectors.find((c) => c.id === filter.connector);
  const team = view.teams.find((t) => t.key === filter.team);
  const scope = [connector ? connector.name : 'all connectors', team ? team.label : filter.team ? filter.team : 'all teams'];

  const fu = followUps.total;
  const followUpColumns = ['Detractors', 'Tasks created', `Created within ${fu.withinMinutes} min`, 'Closed within the due time', 'Open', 'Overdue now', 'Ever overdue', 'Escalated', 'Outcomes recorded'];

  const data = view.withheld
    ? { trend: null, funnel: null, responseRate: null }
    : {
        trend: trendState === 'chart' ? { ...trend, defaultScale: trend.scales[0]!.id } : null,
        funnel: funnel.sent > 0 ? { sent: funnel.sent, delivered: funnel.delivered, answered: funnel.answered } : null,
        responseRate: extras && trendState === 'chart' ? responseRateTrend(byTeam, trend.labels, trend.titles, trend.partial) : null,
      };
  const option = (list: { key: string; label: string }[] | undefined, chosen: string | undefined, all: string) => [
    { value: '', label: all, selected: !chosen },
    ...(list ?? []).filter((o) => o.key !== '').map((o) => ({ value: o.key, label: o.label || o.key, selected: o.key === chosen })),
    ...(chosen && !(list ?? []).some((o) => o.key === chosen) ? [{ value: chosen, label: chosen, selected: true }] : []),
  ];

  return render('pages/dashboard', {
    ...layoutBase('Customer feedback dashboard', true, [assets.chart.url, assets.commonJs.url, assets.dashboardJs.url, assets.dashboardExtraJs.url]),
    withheld: view.withheld,
    withheldText: `All answers in this selection belong to one agent, and there are fewer than ${byAgent.minAgentGroupSize}: its figures are withheld. Widen the dates or remove the team filter.`,
    periodText: `${dayText(filter.from)} – ${dayText(filter.to)}`,
    scopeText: `${scope.join(' · ')} · ${INTERVAL_TEXT[interval].adverb}`,
    form: {
      from: filter.from,
      to: filter.to,
      connectors: [{ value: '', label: 'All connectors', selected: !filter.connector }, ...view.connectors.map((c) => ({ value: c.id, label: c.name, selected: c.id === filter.connector }))],
      teams: [
        { value: '', label: 'All teams', selected: !filter.team },
        // '' is "all teams" here; tickets without a team cannot be chosen on their own.
        ...view.teams.filter((t) => t.key !== '').map((t) => ({ value: t.key, label: t.label || t.key, selected: t.key === filter.team })),
        // A team typed into the URL that has no answers any more still shows as chosen.
        ...(filter.team && !team ? [{ value: filter.team, label: filter.team, selected: true }] : []),
      ],
      intervals: (['day', 'week', 'month', 'none'] as const).map((i) => ({ value: i, label: INTERVAL_TEXT[i].option, selected: i === interval })),
      more: !!extras,
      agents: option(extras?.options.agents, filter.agent, 'All agents'),
      categories: option(extras?.options.categories, filter.category, 'All categories'),
      priorities: option(extras?.options.priorities, filter.priority, 'All priorities'),
    },
    perAgent: view.perAgent === true,
    perAgentText: 'Filtered to one agent: figures with fewer answers than the minimum are withheld, and follow-ups, themes and comments are not shown per agent.',
    partialNote: trend.partial.some(Boolean) ? '* partial period: the range edge cuts it, or it is still running' : '',
    gapNote: extras ? `Points with fewer than ${extras.minGroupSize} answers are left out (a gap in the line).` : '',
    actions: dashboardActions(extras, { perAgent: view.perAgent === true, interval }),
    exports: {
      answers: withQuery('/admin/export/answers.csv', view.exportQuery),
      stats: withQuery('/admin/export/stats.csv', view.exportQuery, 'groupBy=team'),
    },
    scoreboards: view.connectors.filter((c) => c.publicScoreboard).map((c) => ({ name: c.name, url: `/scoreboard/${encodeURIComponent(c.id)}` })),
    anyAnswers,
    noAnswersText: NO_ANSWERS,
    tiles: tiles(total).map((t) => ({
      ...t,
      href: !drill ? null : t.label === 'Answered' && total.funnel.answered ? drill({}) : t.label === 'Detractors' && total.detractors ? drill({ detractor: '1' }) : t.label === 'Surveys sent' && total.funnel.sent ? drill({ status: 'all' }) : null,
    })),
    trend: {
      state: trendState,
      chart: trendState === 'chart',
      scaleChoice: trend.scales.length > 1,
      scales: trend.scales.map((s, i) => ({ value: s.id, label: s.name, selected: i === 0 })),
      ariaLabel: `Trend of ${trend.scales.map((s) => s.name).join(', ') || 'scores'} per team, ${INTERVAL_TEXT[interval].adverb}, ${dayText(filter.from)} to ${dayText(filter.to)}. The figures are in the table below the chart.`,
      tables: trendState === 'chart' ? trendTables(trend) : [],
      message: trendState === 'empty' ? NO_ANSWERS : 'Choose daily, weekly or monthly in the filter to see the trend.',
    },
    funnel: {
      chart: funnel.sent > 0,
      ariaLabel: `Survey funnel: ${count(funnel.sent)} sent, ${funnel.delivered === null ? 'delivery not tracked' : `${count(funnel.delivered)} delivered`}, ${count(funnel.answered)} answered.`,
      steps: [
        { label: 'Sent', value: count(funnel.sent), note: '' },
        { label: 'Delivered', value: funnel.delivered === null ? 'not tracked' : count(funnel.delivered), note: deliveredShare === null ? (funnel.delivered === null ? 'no delivery events recorded' : '') : `${percent(deliveredShare)} of sent` },
        { label: 'Answered', value: count(funnel.answered), note: funnel.responseRate === null ? '' : `${percent(funnel.responseRate)} of sent` },
      ],
      emptyText: 'No surveys sent in this period',
    },
    teamTable: figuresTable(byTeam, { caption: 'Scores per team', groupHeading: 'Team', hiddenText: '', emptyText: NO_ANSWERS, drill: drill && ((key, d) => drill({ team: key, ...(d ? { detractor: '1' } : {}) })) }),
    followUps: {
      withinMinutes: fu.withinMinutes,
      tiles: [
        { label: 'Detractors', value: count(fu.detractors), note: '' },
        { label: 'Tasks created', value: count(fu.tasksCreated), note: '' },
        { label: `Created within ${fu.withinMinutes} min`, value: percent(fu.createdQuicklyShare), note: fu.tasksCreated ? `${count(fu.createdQuickly)} of ${count(fu.tasksCreated)}` : '' },
        { label: 'Closed within the due time', value: percent(fu.closedWithinDueShare), note: fu.tasksCreated ? `${count(fu.closedWithinDue)} of ${count(fu.tasksCreated)}, each connector's due hours` : '' },
        { label: 'Open', value: count(fu.open), note: '' },
        { label: 'Overdue now', value: count(fu.overdueNow), note: 'open past the due time' },
        { label: 'Ever overdue', value: count(fu.overdue), note: 'open at the due time' },
        { label: 'Escalated', value: count(fu.escalated), note: '' },
        { label: 'Outcomes recorded', value: count(fu.outcomesRecorded), note: '' },
      ],
      columns: followUpColumns,
      rows: followUps.groups.map((g) => ({ label: groupLabel(g), cells: followUpCells(g).map((text, i) => ({ text, label: followUpColumns[i] })) })),
      span: followUpColumns.length,
      emptyText: 'No detractors in this period',
      outcomes: followUps.recentOutcomes.map((o) => ({ when: timestampText(o.closedAt), ticket: o.ticket ?? NONE, team: o.team ?? NONE, outcome: o.outcome })),
    },
    themes: {
      overallComments: count(themes.overall.comments),
      overall: themes.overall.terms.map((t) => ({
        ...themeTermExtras(t, null, view.exportQuery),
        term: t.term,
        countText: `${count(t.count)} of ${count(themes.overall.comments)} comments`,
        groupsText: `${count(t.groups)} ${t.groups === 1 ? 'team' : 'teams'}`,
      })),
      groups: themes.groups.map((g) => ({
        label: groupLabel(g),
        commentsText: `${count(g.comments)} ${g.comments === 1 ? 'comment' : 'comments'}`,
        terms: g.terms.map((t) => ({
          ...themeTermExtras(t, g.key || null, view.exportQuery),
          term: t.term,
          countText: `${count(t.count)} of ${count(g.comments)} comments`,
          liftText: Number.isFinite(t.lift) ? `×${t.lift.toFixed(1)}` : NONE,
          liftTitle: `${percent(t.share)} of this team's comments vs ${percent(t.overallShare)} of all comments`,
          kind: t.kind,
          kindText: t.kind === 'team' ? 'team' : 'systemic',
          kindTitle: t.kind === 'team' ? 'Mostly this team’s issue' : 'Common across teams',
        })),
      })),
      emptyText: 'No comments in this period',
      imported: view.acting
        ? view.acting.imported === 'exclude'
          ? { text: 'Imported feedback (focus groups, interviews, …) is left out.', linkText: 'Include it', url: withQuery('/admin/dashboard', view.exportQuery, 'imported=include') }
          : { text: view.acting.imported === 'only' ? 'Only imported feedback is shown.' : 'Includes imported feedback (focus groups, interviews, …), marked per term.', linkText: 'Survey comments only', url: withQuery('/admin/dashboard', view.exportQuery, 'imported=exclude') }
        : null,
    },
    acting: view.acting && !view.withheld ? actingContext(view.acting, { dayText }) : null,
    agentTable: figuresTable(byAgent, {
      caption: 'Scores per agent',
      groupHeading: 'Agent',
      hiddenText: `Fewer than ${byAgent.minAgentGroupSize} answers`,
      emptyText: NO_ANSWERS,
    }),
    minAgentGroupSize: byAgent.minAgentGroupSize,
    categoryTable: figuresTable(byCategory, { caption: 'Scores per category', groupHeading: 'Category', hiddenText: '', emptyText: NO_ANSWERS, drill: drill && ((key, d) => drill({ category: key, ...(d ? { detractor: '1' } : {}) })) }),
    comments: view.recentComments.map((c) => {
      const scale = (c.scale in SCALES ? c.scale : null) as Scale | null;
      return {
        when: timestampText(c.submittedAt),
        ticket: c.ticket ?? NONE,
        team: c.team ?? NONE,
        scoreText: scale ? `${SCALE_META[scale].name} ${c.score} / ${SCALES[scale].max}` : `${c.scale} ${c.score}`,
        // The answer's connector decides (followUp.detractorMax), as for its follow-up task.
        unhappy: c.detractor,
        comment: c.comment,
      };
    }),
    data,
  });
}

export function renderScoreboard(view: ScoreboardView): string {
  const assets = analyticsAssets();
  const interval = view.interval;
  const scales = SCALE_ORDER.filter((s) => view.teams.some((t) => hasScale(t, s) || t.series.some((p) => hasScale(p, s))));
  const shown = scales.length ? scales : (['csat'] as Scale[]);
  const periods = [...new Set(view.teams.flatMap((t) => t.series.map((p) => p.period)))].sort();
  const labels = periods.map((p) => periodLabels(p, interval));
  const trendPossible = interval !== 'none' && periods.length > 0;

  const charts: { label: string; scale: Scale; name: string; unit: string; values: (number | null)[]; n: number[] }[] = [];
  const rows = view.teams.map((t) => {
    const scale = SCALE_ORDER.find((s) => t.series.some((p) => hasScale(p, s))) ?? null;
    let chartIndex: number | null = null;
    let chartLabel = '';
    if (trendPossible && scale) {
      const byPeriod = new Map(t.series.map((p) => [p.period, p]));
      const values = periods.map((p) => {
        const f = byPeriod.get(p);
        return f ? scaleValue(f, scale) : null;
      });
      chartIndex = charts.length;
      charts.push({ label: t.label, scale, name: SCALE_META[scale].name, unit: SCALE_META[scale].unit, values, n: periods.map((p) => byPeriod.get(p)?.[scale]?.n ?? 0) });
      chartLabel = `${SCALE_META[scale].name} trend for ${t.label}: ${values.map((v, i) => `${labels[i]!.short} ${valueText(v, scale)}`).join(', ')}`;
    }
    return {
      label: t.label,
      answered: count(t.answered),
      cells: shown.map((s) => ({ label: SCALE_META[s].name, text: scaleText(t, s) })),
      chart: chartIndex !== null,
      chartIndex: chartIndex ?? -1,
      chartLabel,
    };
  });

  const data = { axis: INTERVAL_TEXT[interval].axis, labels: labels.map((l) => l.short), titles: labels.map((l) => l.long), teams: charts };
  return render('pages/scoreboard', {
    ...layoutBase(`Customer satisfaction – ${view.organisationName}`, false, [assets.chart.url, assets.commonJs.url, assets.scoreboardJs.url]),
    organisationName: view.organisationName,
    periodText: `${dayText(view.from)} – ${dayText(view.to)}`,
    intervalText: INTERVAL_TEXT[interval].adverb,
    columns: shown.map((s) => SCALE_META[s].heading),
    trendHeading: trendPossible
      ? `${charts.length && charts.every((c) => c.scale === charts[0]!.scale) ? `${charts[0]!.name} trend` : 'Trend'} (${INTERVAL_TEXT[interval].adverb})`
      : 'Trend',
    rows,
    span: shown.length + 3,
    emptyText: NO_ANSWERS,
    trendTable: trendPossible && charts.length
      ? {
          axis: INTERVAL_TEXT[interval].axis,
          heads: labels.map((l) => l.long),
          rows: charts.map((c) => ({ label: `${c.label} (${c.name})`, cells: c.values.map((v, i) => (v === null ? NONE : `${valueText(v, c.scale)} (n=${count(c.n[i] ?? 0)})`)) })),
        }
      : null,
    explanations: shown.map((s) => ({
      name: SCALE_META[s].name,
      text:
        s === 'csat'
          ? 'Share of customers who answered 4 or 5 out of 5, with the range the true figure most likely lies in (95%).'
          : s === 'nps'
            ? 'Promoters (9–10) minus detractors (0–6), from −100 to +100.'
            : 'How easy it was to get help, on average, from 1 (very hard) to 7 (very easy).',
    })),
    data,
  });
}

/** A small page for refusals and errors (400 with the reason, 401, 404, 500), in the pages' look. */
export function renderAnalyticsMessage(p: { title: string; text: string; noindex?: boolean }): string {
  return render('pages/analytics-message', { ...layoutBase(p.title, p.noindex ?? true, []), heading: p.title, text: p.text });
}
