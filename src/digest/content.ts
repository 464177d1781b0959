import { sql } from 'kysely';
import { figuresFrom, hiddenFigures, type Cell } from '../analytics/figures.js';
import type { AnalyticsReader } from '../analytics/reader.js';
import { suppressCrossTable } from '../analytics/suppression/cross-table.js';
import type { Figures } from '../analytics/types.js';
import type { ConnectorDefinition } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';
import { SCALE_NAMES, type Scale } from '../rules/scales.js';
import type { Interval } from '../rules/scores.js';
import { weeksEndingWith, type DigestWeek } from './period.js';
import type { DigestProviders, InitiativeSummary, TargetMetric, TargetStatus } from './providers.js';
import { risingThemes, type RisingTheme } from './rising-themes.js';
import { targetStatus } from './targets.js';

/**
 * Everything one team's digest shows for one week, read from survey_facts (through an analytics
 * reader) and the providers. Small groups stay hidden as on the dashboard: a week whose answers all
 * come from one agent below the minimum group size — so that the team's figure would be that
 * person's — shows no figures and no comments (the complementary suppression of
 * src/analytics/suppression, over the team's agents × weeks).
 */
export interface DigestContent {
  connector: { id: string; name: string };
  team: { key: string; label: string };
  week: DigestWeek;
  minGroupSize: number;
  /** The reported week's figures are withheld (see above). */
  withheld: boolean;
  /** The scale the team's answers mostly use; null without answers in the trend weeks. */
  scale: Scale | null;
  figures: Figures;
  previous: Figures | null;
  trend: { start: string; figures: Figures | null }[];
  targets: { metric: TargetMetric; target: number; value: number | null; status: TargetStatus | null }[];
  comments: { ticket: string; ticketUrl: string; scale: Scale; score: number; detractor: boolean; text: string; answeredAt: Date }[];
  /** Comments of the week not listed (over maxComments). */
  moreComments: number;
  themes: RisingTheme[];
  followUps: { open: number; overdueNow: number; items: { ticket: string; ticketUrl: string; task: string | null; dueAt: Date; overdue: boolean }[] };
  initiatives: InitiativeSummary[];
  dashboardUrl: string;
}

export interface DigestContentDeps {
  reader: AnalyticsReader;
  providers: DigestProviders;
  minGroupSize: number;
  publicUrl: string;
  now: Date;
}

const FOLLOW_UP_ITEMS = 20;
const ymd = (d: Date) => d.toISOString().slice(0, 10);

export async function loadDigestContent(deps: DigestContentDeps, def: ConnectorDefinition, connector: Connector, team: { key: string; label: string }, week: DigestWeek): Promise<DigestContent> {
  const settings = def.analytics.digest;
  const weeks = weeksEndingWith(week, settings.trendWeeks);
  const bounds = [...weeks.map((w) => w.from), week.to];
  const previousWeek = weeks[weeks.length - 2]!;
  const ref = { connectorId: def.id, teamKey: team.key, teamLabel: team.label, period: { start: week.start, from: week.from, to: week.to } };

  const [cells, comments, tasks, onTime, targets, initiatives] = await Promise.all([
    deps.reader.rows(sql<{ bucket: number; agent: string; scale: Scale; score: number | null; detractor: boolean; surveys: string; delivered: string }>`
      SELECT width_bucket(f.sent_at, ${bounds}::timestamptz[]) AS bucket, f.agent_key AS agent, f.scale, f.score, f.detractor,
             count(*) AS surveys, count(*) FILTER (WHERE f.delivered) AS delivered
      FROM survey_facts f
      WHERE f.team_key = ${team.key} AND f.sent_at >= ${bounds[0]} AND f.sent_at < ${week.to}
      GROUP BY 1, 2, 3, 4, 5`),
    deps.reader.rows(sql<{ externalId: string; key: string | null; scale: Scale; score: number; detractor: boolean; text: string; answeredAt: Date }>`
      SELECT t.external_id AS "externalId", t.external_key AS key, f.scale, f.score, f.detractor, r.comment AS text, f.answered_at AS "answeredAt"
      FROM survey_facts f
      JOIN responses r ON r.id = f.response_id
      JOIN tickets t ON t.id = f.ticket_id
      WHERE f.has_comment AND f.answered_at >= ${previousWeek.from} AND f.answered_at < ${week.to} AND f.team_key = ${team.key}
      ORDER BY f.detractor DESC, f.answered_at DESC, f.response_id DESC`),
    deps.reader.rows(sql<{ externalId: string; key: string | null; task: string | null; dueAt: Date }>`
      SELECT t.external_id AS "externalId", t.external_key AS key, fu.external_key AS task, fu.due_at AS "dueAt"
      FROM survey_facts f
      JOIN follow_ups fu ON fu.id = f.follow_up_id
      JOIN tickets t ON t.id = f.ticket_id
      WHERE f.team_key = ${team.key} AND f.follow_up_status = 'open'
      ORDER BY fu.due_at, fu.id`),
    deps.reader.rows(sql<{ tasks: string; onTime: string }>`
      SELECT count(*) AS tasks, count(*) FILTER (WHERE f.follow_up_status = 'closed' AND f.follow_up_closed_at <= f.follow_up_due_at) AS "onTime"
      FROM survey_facts f
      WHERE f.team_key = ${team.key} AND f.sent_at >= ${week.from} AND f.sent_at < ${week.to} AND f.follow_up_task`),
    deps.providers.targetsForTeam(ref),
    deps.providers.initiativesInProgress(ref),
  ]);

  // Cells per week (1-based buckets) and per agent, for the figures and the small-group check.
  const typed = cells.map((c) => ({ ...c, bucket: Number(c.bucket), score: c.score === null ? null : Number(c.score), detractor: c.detractor === true, surveys: Number(c.surveys), delivered: Number(c.delivered) }));
  const deliveryTracked = typed.some((c) => c.delivered > 0);
  const figures = (cs: readonly Cell[]) => figuresFrom(cs, { deliveryTracked });
  const inWeek = (i: number) => typed.filter((c) => c.bucket === i + 1);
  const weekFigures = weeks.map((_, i) => figures(inWeek(i)));
  const agents = [...new Set(typed.map((c) => c.agent))];
  const hidden = suppressCrossTable<Figures>(
    {
      total: null,
      periodTotals: weekFigures,
      rows: agents.map((a) => {
        const mine = typed.filter((c) => c.agent === a);
        return { total: figures(mine), periods: weeks.map((_, i) => figures(mine.filter((c) => c.bucket === i + 1))) };
      }),
    },
    (f) => ({ surveys: f.funnel.sent, answered: f.funnel.answered }),
    { rows: true, margins: false },
    deps.minGroupSize,
  );
  const shown = (i: number): Figures | null => (hidden.periodTotals?.[i] ? null : weekFigures[i]!);
  const last = weeks.length - 1;
  const withheld = shown(last) === null;

  const answered = new Map<Scale, number>();
  for (const c of typed) if (c.score !== null) answered.set(c.scale, (answered.get(c.scale) ?? 0) + c.surveys);
  const scale = [...answered.entries()].sort((a, b) => b[1] - a[1] || SCALE_NAMES.indexOf(a[0]) - SCALE_NAMES.indexOf(b[0]))[0]?.[0] ?? null;
  const current = withheld ? hiddenFigures() : weekFigures[last]!;

  const url = (externalId: string, key: string | null) => connector.ticketUrl(externalId, key);
  const thisWeek = comments.filter((c) => new Date(c.answeredAt) >= week.from);
  const lastWeek = comments.filter((c) => new Date(c.answeredAt) < week.from);
  const listed = withheld ? [] : thisWeek.slice(0, settings.maxComments);

  const onTimeRow = onTime[0];
  const followUpOnTime = onTimeRow && Number(onTimeRow.tasks) ? Number(onTimeRow.onTime) / Number(onTimeRow.tasks) : null;
  const metricValue = (metric: TargetMetric): { value: number | null; interval: Interval | null } => {
    if (withheld) return { value: null, interval: null };
    if (metric === 'csat') return { value: current.csat?.share ?? null, interval: current.csat?.interval ?? null };
    if (metric === 'nps') return { value: current.nps?.score ?? null, interval: current.nps?.interval ?? null };
    if (metric === 'responseRate') return { value: current.funnel.responseRate, interval: null };
    return { value: followUpOnTime, interval: null };
  };

  const now = deps.now.getTime();
  const dashboard = new URLSearchParams({ team: team.key, from: ymd(week.from), to: ymd(new Date(week.to.getTime() - 1)), interval: 'week' });
  return {
    connector: { id: def.id, name: def.name },
    team,
    week,
    minGroupSize: deps.minGroupSize,
    withheld,
    scale,
    figures: current,
    previous: withheld ? null : shown(last - 1),
    trend: weeks.map((w, i) => ({ start: w.start, figures: shown(i) })),
    targets: targets.map((t) => {
      const v = metricValue(t.metric);
      return { metric: t.metric, target: t.target, value: v.value, status: withheld ? null : (t.status ?? targetStatus(v.value, v.interval, t.target)) };
    }),
    comments: listed.map((c) => ({ ticket: c.key ?? c.externalId, ticketUrl: url(c.externalId, c.key), scale: c.scale, score: Number(c.score), detractor: c.detractor === true, text: c.text, answeredAt: new Date(c.answeredAt) })),
    moreComments: withheld ? 0 : thisWeek.length - listed.length,
    themes: withheld ? [] : risingThemes(thisWeek.map((c) => c.text), lastWeek.map((c) => c.text)),
    followUps: {
      open: tasks.length,
      overdueNow: tasks.filter((t) => new Date(t.dueAt).getTime() < now).length,
      items: tasks.slice(0, FOLLOW_UP_ITEMS).map((t) => ({ ticket: t.key ?? t.externalId, ticketUrl: url(t.externalId, t.key), task: t.task, dueAt: new Date(t.dueAt), overdue: new Date(t.dueAt).getTime() < now })),
    },
    initiatives,
    dashboardUrl: `${deps.publicUrl}/admin/dashboard?${dashboard.toString()}`,
  };
}
