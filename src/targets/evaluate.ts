import type { AnalyticsReader } from '../analytics/reader.js';
import { statsReport } from '../analytics/stats.js';
import type { Interval } from '../rules/scores.js';
import { followUpOnTime, type Scope } from './follow-up-on-time.js';
import { elapsed, periodContaining, previousPeriod, ymd, type DayRange, type TargetPeriod } from './periods.js';
import { METRICS, type Target, type TargetMetric } from './schema.js';
import { judge, npsFigure, overallStatus, percentFigure, type TargetStatus } from './status.js';
import { readTargets } from './store.js';

/**
 * Each team against its target (own, else the default), over the target's period that contains the
 * given day, with the change against the period before. Counts come from the stats API's figures
 * (survey_facts and the rollups, through the analytics reader) and the follow-up facts; the judging
 * is pure (assembleTargets).
 */

/** Counts of one team in one period: everything the four metrics need. */
export interface TeamCounts {
  label: string;
  csatN: number;
  csatTop: number;
  npsN: number;
  promoters: number;
  npsDetractors: number;
  sent: number;
  answered: number;
  followUpsJudged: number;
  followUpsOnTime: number;
}

export interface MetricValue {
  /** % for shares, points for NPS (rounded to 0.01). */
  value: number;
  low: number;
  high: number;
  /** The figure's base: CSAT or NPS answers, surveys sent, follow-ups judged. */
  n: number;
}

export interface MetricStatus {
  metric: TargetMetric;
  target: number;
  /** null when the base is below the minimum group size (then the status is too_few). */
  current: MetricValue | null;
  previous: MetricValue | null;
  /** current − previous, in points (rounded to 0.01); null unless both are shown. */
  change: number | null;
  status: TargetStatus;
}

export interface TeamTargetRow {
  team: { key: string; label: string };
  /** Whether the team has its own target or is judged against the default. */
  targetOf: 'team' | 'default';
  period: TargetPeriod;
  current: { from: string; to: string; days: number; daysElapsed: number; complete: boolean };
  previous: { from: string; to: string };
  metrics: MetricStatus[];
  status: TargetStatus;
}

export interface TargetsReport {
  date: string;
  minGroupSize: number;
  /** The default target (team 'default'), or null. */
  default: Target | null;
  teams: TeamTargetRow[];
}

export interface PeriodData {
  current: DayRange;
  previous: DayRange;
  counts: { current: ReadonlyMap<string, TeamCounts>; previous: ReadonlyMap<string, TeamCounts> };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const inclusive = (r: DayRange) => ({ from: ymd(r.from), to: ymd(new Date(r.to.getTime() - 86_400_000)) });

function figure(metric: TargetMetric, c: TeamCounts | undefined): { value: number; interval: Interval; n: number } | null {
  if (!c) return null;
  switch (metric) {
    case 'csat': {
      const f = percentFigure(c.csatTop, c.csatN);
      return f && { ...f, n: c.csatN };
    }
    case 'nps': {
      const f = npsFigure(c.promoters, c.npsDetractors, c.npsN);
      return f && { ...f, n: c.npsN };
    }
    case 'responseRate': {
      const f = percentFigure(c.answered, c.sent);
      return f && { ...f, n: c.sent };
    }
    case 'followUpOnTime': {
      const f = percentFigure(c.followUpsOnTime, c.followUpsJudged);
      return f && { ...f, n: c.followUpsJudged };
    }
  }
}

const shown = (f: ReturnType<typeof figure>, min: number): MetricValue | null =>
  f && f.n >= min ? { value: round2(f.value), low: round2(f.interval.low), high: round2(f.interval.high), n: f.n } : null;

/** Pure: targets and counts in, a row per team out (sorted: worst status first, then by name). */
export function assembleTargets(targets: readonly Target[], data: ReadonlyMap<TargetPeriod, PeriodData>, opts: { date: Date; today: Date; minGroupSize: number; scope: Scope }): TargetsReport {
  const def = targets.find((t) => t.team === 'default') ?? null;
  const inScope = (key: string) => (!opts.scope.connectorId || key.startsWith(`${opts.scope.connectorId}:`)) && (opts.scope.team === undefined || key === opts.scope.team);
  const own = new Map(targets.filter((t) => t.team !== 'default' && inScope(t.team)).map((t) => [t.team, t]));
  const labelIn = (d: PeriodData | undefined, key: string) => d?.counts.current.get(key)?.label ?? d?.counts.previous.get(key)?.label;
  const teams = new Map<string, string>();
  for (const [key, t] of own) teams.set(key, labelIn(data.get(t.period), key) ?? t.teamLabel ?? key.slice(key.indexOf(':') + 1));
  if (def) {
    const d = data.get(def.period);
    for (const counts of [d?.counts.current, d?.counts.previous]) for (const [key, c] of counts ?? []) if (inScope(key) && !teams.has(key)) teams.set(key, c.label);
  }

  const rows: TeamTargetRow[] = [];
  for (const [key, label] of teams) {
    const target = own.get(key) ?? def!;
    const d = data.get(target.period);
    if (!d) continue;
    const metrics: MetricStatus[] = [];
    for (const metric of METRICS) {
      const goal = target[metric];
      if (goal === null) continue;
      const now = figure(metric, d.counts.current.get(key));
      const before = figure(metric, d.counts.previous.get(key));
      const current = shown(now, opts.minGroupSize);
      const previous = shown(before, opts.minGroupSize);
      metrics.push({
        metric,
        target: goal,
        current,
        previous,
        change: current && previous ? round2(now!.value - before!.value) : null,
        status: current ? judge(goal, now!.interval) : 'too_few',
      });
    }
    const e = elapsed(d.current, opts.today);
    rows.push({
      team: { key, label },
      targetOf: own.has(key) ? 'team' : 'default',
      period: target.period,
      current: { ...inclusive(d.current), days: e.of, daysElapsed: e.days, complete: e.complete },
      previous: inclusive(d.previous),
      metrics,
      status: overallStatus(metrics.map((m) => m.status)),
    });
  }
  const rank: Record<TargetStatus, number> = { missed: 0, at_risk: 1, met: 2, too_few: 3 };
  rows.sort((a, b) => rank[a.status] - rank[b.status] || (a.team.label < b.team.label ? -1 : a.team.label > b.team.label ? 1 : 0) || (a.team.key < b.team.key ? -1 : 1));
  return { date: ymd(opts.date), minGroupSize: opts.minGroupSize, default: def, teams: rows };
}

/** Counts per team over a range: the stats API's team figures plus follow-up on time. */
export async function teamCounts(reader: AnalyticsReader, range: DayRange, scope: Scope, minGroupSize: number, now: Date): Promise<Map<string, TeamCounts>> {
  const [stats, onTime] = await Promise.all([
    statsReport(reader, { filter: { from: range.from, to: range.to, connectorId: scope.connectorId, team: scope.team }, groupBy: 'team', interval: 'none', withinMinutes: 15 }, minGroupSize),
    followUpOnTime(reader, range, scope, now),
  ]);
  const out = new Map<string, TeamCounts>();
  const empty = (label: string): TeamCounts => ({ label, csatN: 0, csatTop: 0, npsN: 0, promoters: 0, npsDetractors: 0, sent: 0, answered: 0, followUpsJudged: 0, followUpsOnTime: 0 });
  for (const g of stats.groups) {
    out.set(g.key, {
      ...empty(g.label),
      csatN: g.csat?.n ?? 0,
      csatTop: g.csat?.topTwo ?? 0,
      npsN: g.nps?.n ?? 0,
      promoters: g.nps?.promoters ?? 0,
      npsDetractors: g.nps?.detractors ?? 0,
      sent: g.funnel.sent,
      answered: g.funnel.answered,
    });
  }
  for (const f of onTime) {
    const c = out.get(f.key) ?? empty(f.label);
    out.set(f.key, { ...c, followUpsJudged: f.judged, followUpsOnTime: f.onTime });
  }
  return out;
}

export interface TargetsDeps {
  reader: AnalyticsReader;
  minGroupSize: number;
  now: () => Date;
}

/** The report for the periods containing `date` (default today), within a connector / team. */
export async function loadTargetsReport(deps: TargetsDeps, opts: { date?: Date; scope: Scope }): Promise<TargetsReport> {
  const today = deps.now();
  const date = opts.date ?? today;
  const targets = await readTargets(deps.reader);
  const periods = new Set(targets.map((t) => t.period));
  const data = new Map<TargetPeriod, PeriodData>();
  await Promise.all(
    [...periods].map(async (period) => {
      const current = periodContaining(date, period);
      const previous = previousPeriod(current, period);
      const [cur, prev] = await Promise.all([teamCounts(deps.reader, current, opts.scope, deps.minGroupSize, today), teamCounts(deps.reader, previous, opts.scope, deps.minGroupSize, today)]);
      data.set(period, { current, previous, counts: { current: cur, previous: prev } });
    }),
  );
  return assembleTargets(targets, data, { date, today, minGroupSize: deps.minGroupSize, scope: opts.scope });
}
