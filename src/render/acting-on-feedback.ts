import type { ActingView } from '../analytics/acting-on-feedback.js';
import type { ThemeTerm } from '../analytics/types.js';
import type { HeadlineFigure } from '../targets/headline-change.js';
import type { TargetMetric } from '../targets/schema.js';
import type { MetricStatus } from '../targets/evaluate.js';
import type { TargetStatus } from '../targets/status.js';
import { effectSummary } from '../initiatives/effect/summary.js';

/**
 * The dashboard's "acting on feedback" partial (templates/pages/partials/acting-on-feedback.hbs):
 * view in, template context out (pure). English, as the rest of the dashboard.
 */
const NONE = '—';
const STATUS_TEXT: Record<TargetStatus, string> = { met: 'Met', at_risk: 'At risk', missed: 'Missed', too_few: 'Too few answers' };
const METRIC_TEXT: Record<TargetMetric, string> = { csat: 'CSAT', nps: 'NPS', responseRate: 'Response rate', followUpOnTime: 'Follow-up on time' };
const FIGURE_TEXT: Record<HeadlineFigure, string> = { csat: 'CSAT', nps: 'NPS', ces: 'CES (1–7)', responseRate: 'Response rate', detractors: 'Detractors', followUpOnTime: 'Follow-up on time' };
const PERIOD_TEXT = { week: 'this week', month: 'this month', quarter: 'this quarter' } as const;
const INITIATIVE_STATUS = { proposed: 'Proposed', in_progress: 'In progress', done: 'Done' } as const;
const VERDICT_TEXT = { improved: 'Improved', worsened: 'Worsened', no_distinguishable_change: 'No distinguishable change', not_enough_data: 'Not enough data yet', mixed: 'Mixed' } as const;

const fmt = (x: number, digits: number) => x.toFixed(digits).replace('-', '−');
const signed = (x: number, digits: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(digits)}`;

function metricValue(metric: TargetMetric, v: number): string {
  return metric === 'nps' ? signed(Math.round(v), 0).replace('±', '') : `${fmt(v, 0)}%`;
}

function metricCell(m: MetricStatus) {
  const unit = m.metric === 'nps' ? ' points' : ' pp';
  if (!m.current) return { text: NONE, detail: `target ${metricValue(m.metric, m.target)}`, status: m.status, statusText: STATUS_TEXT[m.status], title: 'Fewer answers than the minimum group size: not judged' };
  const c = m.current;
  const change = m.change === null ? 'no previous figure' : `${signed(m.change, 1)}${unit} vs previous`;
  return {
    text: metricValue(m.metric, c.value),
    detail: `target ${metricValue(m.metric, m.target)} · 95% ${metricValue(m.metric, c.low)}–${metricValue(m.metric, c.high)} · ${change}`,
    status: m.status,
    statusText: STATUS_TEXT[m.status],
    title: `n = ${c.n}`,
  };
}

function changeCell(figure: HeadlineFigure, change: number | null): { text: string; cls: string } {
  if (change === null) return { text: NONE, cls: '' };
  const better = figure === 'detractors' ? change < 0 : figure === 'ces' || figure === 'nps' || figure === 'csat' || figure === 'responseRate' || figure === 'followUpOnTime' ? change > 0 : false;
  const direction = change > 0 ? 'change-up' : change < 0 ? 'change-down' : '';
  const unit = figure === 'csat' || figure === 'responseRate' || figure === 'followUpOnTime' ? ' pp' : figure === 'nps' ? ' points' : '';
  const digits = figure === 'ces' ? 2 : figure === 'detractors' ? 0 : 1;
  return { text: `${signed(change, digits)}${unit}`, cls: `${direction}${change === 0 ? '' : better ? ' change-good' : ' change-bad'}` };
}

function figureText(figure: HeadlineFigure, v: number | null): string {
  if (v === null) return NONE;
  if (figure === 'csat' || figure === 'responseRate' || figure === 'followUpOnTime') return `${fmt(v, 1)}%`;
  if (figure === 'nps') return signed(v, 1).replace('±', '');
  if (figure === 'ces') return v.toFixed(2);
  return String(v);
}

export function actingContext(view: ActingView, opts: { dayText: (ymd: string) => string }) {
  const t = view.targets;
  const metrics = [...new Set(t.teams.flatMap((r) => r.metrics.map((m) => m.metric)))];
  const order: TargetMetric[] = ['csat', 'nps', 'responseRate', 'followUpOnTime'];
  const columns = order.filter((m) => metrics.includes(m));
  return {
    change: {
      periodText: `${opts.dayText(view.change.current.from)} – ${opts.dayText(view.change.current.to)}`,
      previousText: `${opts.dayText(view.change.previous.from)} – ${opts.dayText(view.change.previous.to)}`,
      rows: view.change.figures
        .filter((f) => f.current !== null || f.previous !== null)
        .map((f) => {
          const c = changeCell(f.figure, f.change);
          return { label: FIGURE_TEXT[f.figure], current: figureText(f.figure, f.current), previous: figureText(f.figure, f.previous), change: c.text, changeClass: c.cls, title: `n = ${f.n.current} now, ${f.n.previous} before` };
        }),
    },
    targets: {
      any: t.teams.length > 0,
      emptyText: t.default ? 'No team has answers in the target periods yet.' : 'No targets set. Set them with PUT /admin/targets/default (or per team), or `targets apply <file>`.',
      columns: columns.map((m) => METRIC_TEXT[m]),
      span: columns.length + 2,
      rows: t.teams.map((r) => ({
        team: r.team.label,
        targetOf: r.targetOf === 'team' ? 'team target' : 'default target',
        periodText: `${PERIOD_TEXT[r.period]}${r.current.complete ? '' : ` so far (${r.current.daysElapsed} of ${r.current.days} days)`}`,
        status: r.status,
        statusText: STATUS_TEXT[r.status],
        cells: columns.map((m) => {
          const ms = r.metrics.find((x) => x.metric === m);
          return ms ? metricCell(ms) : { text: NONE, detail: 'no target', status: '', statusText: '', title: '' };
        }),
      })),
      minGroupSize: t.minGroupSize,
    },
    initiatives: {
      rows: view.initiatives.map(({ initiative: i, effect }) => ({
        anchor: `initiative-${i.id}`,
        id: i.id,
        title: i.title,
        scope: i.team ? i.team.label : 'All teams (systemic)',
        status: INITIATIVE_STATUS[i.status],
        dates: i.startDate ? `${opts.dayText(i.startDate)} – ${i.endDate ? opts.dayText(i.endDate) : 'ongoing'}` : 'not started',
        topics: [...i.themes.map((x) => `“${x}”`), ...i.categories.map((c) => `category ${c}`)].join(', ') || NONE,
        owner: i.owner,
        verdict: effect ? effect.verdict : '',
        verdictText: effect ? VERDICT_TEXT[effect.verdict] : '',
        effectText: effect ? effectSummary(effect) : '',
        apiUrl: `/admin/initiatives/${encodeURIComponent(i.id)}`,
      })),
    },
  };
}

/** Extras for a theme row of the dashboard: where "start an initiative" goes, and how much of it is imported feedback. */
const SOURCE_TEXT: Record<string, string> = { focus_group: 'focus group', interview: 'interview', hallway: 'hallway', other_tool: 'other tool', other: 'other' };

export function themeTermExtras(term: ThemeTerm | { term: string; imported?: number; importedSources?: Record<string, number> }, teamKey: string | null, backQuery: string) {
  const q = new URLSearchParams({ theme: term.term, ...(teamKey ? { team: teamKey } : {}), back: backQuery });
  const t = term as { imported?: number; importedSources?: Record<string, number> };
  const imported = t.imported ?? 0;
  const kinds = Object.keys(t.importedSources ?? {}).map((k) => SOURCE_TEXT[k] ?? k);
  return { startUrl: `/admin/initiatives/new?${q.toString()}`, sourceText: imported ? `${imported} imported${kinds.length ? `: ${kinds.join(', ')}` : ''}` : '' };
}
