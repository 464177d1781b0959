import type { ConnectorStore } from '../store/connectors.js';
import { TtlCache } from '../store/ttl-cache.js';
import { recentComments } from './comments.js';
import { loadActing } from './acting-on-feedback.js';
import { importedMode, themesWithImported, type ImportedMode, type ThemesWithSources } from '../feedback-import/themes.js';
import { SOURCE_KINDS } from '../feedback-import/schema.js';
import { loadCells } from './facts/cells.js';
import { followUpReport } from './follow-up-stats.js';
import { firstDay, lastDay, parseStatsQuery, type StatsQuery } from './query.js';
import type { AnalyticsReader } from './reader.js';
import { statsReport } from './stats.js';
import type { DashboardView, ScoreboardView } from './views.js';
import { loadDashboardExtras } from './dashboard/extras.js';
import { teamLabeller } from './dashboard/team-labels.js';
import type { FollowUpReport, StatsReport } from './types.js';

export interface AnalyticsDeps {
  connectors: ConnectorStore;
  minGroupSize: number;
  now: () => Date;
  /** A reader on the analytics pool whose queries are cancelled once `signal` aborts (the client went away). */
  reader(signal?: AbortSignal): AnalyticsReader;
  /** Where an answer's ticket opens in its ITSM (the drill-down's links); null when unknown. */
  ticketUrl?(connectorId: string, externalId: string, key: string | null): Promise<string | null>;
}

/** Ranges longer than this are trended by month unless the request asks otherwise (a 5-year weekly chart has 261 points per team). */
export const MONTHLY_AFTER_DAYS = 183;

/** Everything the dashboard shows for one filter; the queries run side by side. */
export async function loadDashboard(deps: AnalyticsDeps, raw: unknown, signal?: AbortSignal): Promise<DashboardView> {
  let q = parseStatsQuery(raw, deps.now(), { interval: 'week' });
  // One agent's figures: the stats with every small group withheld (as the stats API); follow-ups,
  // themes, comments, recovery and dimensions are about that person's customers and stay out.
  const perAgent = !!q.filter.agent;
  const asked = (raw as { interval?: unknown } | undefined)?.interval;
  if ((asked === undefined || asked === '') && q.filter.to.getTime() - q.filter.from.getTime() > MONTHLY_AFTER_DAYS * 86_400_000) q = { ...q, interval: 'month' };
  const reader = deps.reader(signal);
  const imported = importedMode(raw);
  const as = (groupBy: StatsQuery['groupBy'], interval = q.interval): StatsQuery => ({ ...q, groupBy, interval });
  // Teams (with the trend), agents and categories (totals only: the page shows no series for them).
  const tables = [as('team'), as('agent', 'none'), as('category', 'none')];
  const figures = Promise.all(tables.map((t) => statsReport(reader, t, deps.minGroupSize)));
  const [connectors, [byTeam, byAgent, byCategory], teams, followUps, themes, comments, acting, extras] = await Promise.all([
    deps.connectors.list(),
    figures as Promise<[StatsReport, StatsReport, StatsReport]>,
    // Without a team filter, the team table lists exactly the options.
    q.filter.team === undefined && !perAgent ? figures.then(([t]) => t!.groups.map((g) => ({ key: g.key, label: g.label })).sort(byLabel)) : teamOptions(reader, q),
    // Its own query runs at once; the teams with answers (zeros included) come from the team table.
    perAgent ? emptyFollowUps(q) : followUpReport(reader, as('team'), { answeredGroups: figures.then(([t]) => t!.groups.filter((g) => g.funnel.answered > 0)), now: deps.now() }),
    perAgent ? emptyThemes(q, imported) : themesWithImported(reader, as('team'), imported),
    perAgent ? Promise.resolve([]) : recentComments(reader, q),
    // Targets and initiatives are about teams, never one agent.
    perAgent ? Promise.resolve(undefined) : loadActing(reader, q, { minGroupSize: deps.minGroupSize, now: deps.now(), imported }),
    loadDashboardExtras(reader, q, deps.now(), deps.minGroupSize),
  ]);
  // A team name on two connectors is shown with its connector.
  const label = teamLabeller(teams, new Map(connectors.map((c) => [c.id, c.name])));
  const relabel = <T extends { key: string; label: string }>(g: T): T => ({ ...g, label: label(g.key, g.label) });
  byTeam.groups = byTeam.groups.map(relabel);
  followUps.groups = followUps.groups.map(relabel);
  themes.groups = themes.groups.map(relabel);
  if (extras.recovery) {
    extras.recovery.groups = extras.recovery.groups.map(relabel);
    extras.recovery.recent = extras.recovery.recent.map((r) => ({ ...r, team: label(r.teamKey, r.team) }));
  }
  if (extras.dimensions) extras.dimensions.groups = extras.dimensions.groups.map(relabel);
  const filter = {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    connector: q.filter.connectorId ?? '',
    interval: q.interval,
    team: q.filter.team ?? '',
    agent: q.filter.agent ?? '',
    category: q.filter.category ?? '',
    priority: q.filter.priority ?? '',
  };
  const exportQuery = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== '')).toString();
  return {
    filter,
    connectors: connectors.map((c) => ({ id: c.id, name: c.name, publicScoreboard: c.analytics.publicScoreboard })),
    teams: teams.map(relabel),
    byTeam,
    byAgent,
    byCategory,
    followUps,
    themes,
    recentComments: comments,
    exportQuery,
    // The total is shown in every table of the page (teams, categories, follow-ups): when it is one
    // small agent's figure, nothing on the page can be shown.
    withheld: byAgent.total.hidden === true,
    acting,
    perAgent,
    extras,
  };
}

function emptyFollowUps(q: StatsQuery): FollowUpReport {
  const zero = { key: '', label: 'All', detractors: 0, tasksCreated: 0, createdQuickly: 0, createdQuicklyShare: null, withinMinutes: q.withinMinutes, closedWithin24h: 0, closedWithin24hShare: null, open: 0, overdue: 0, escalated: 0, outcomesRecorded: 0, overdueNow: 0, closedWithinDue: 0, closedWithinDueShare: null };
  return { from: firstDay(q.filter), to: lastDay(q.filter), groupBy: 'team', total: zero, groups: [], recentOutcomes: [] };
}

function emptyThemes(q: StatsQuery, imported: ImportedMode): ThemesWithSources {
  const sources = Object.fromEntries(SOURCE_KINDS.map((k) => [k, 0])) as ThemesWithSources['sources'];
  return { from: firstDay(q.filter), to: lastDay(q.filter), imported, sources, overall: { comments: 0, imported: 0, terms: [] }, groups: [] };
}

/** Teams that had surveys in the range (ignoring the team filter itself), for the filter's options. */
async function teamOptions(reader: AnalyticsReader, q: StatsQuery) {
  const cells = await loadCells(reader, { ...q.filter, team: undefined }, 'team', 'none');
  const labels = new Map<string, string>();
  for (const c of cells) if (!labels.has(c.key) || c.label > labels.get(c.key)!) labels.set(c.key, c.label);
  return [...labels.entries()].map(([key, label]) => ({ key, label })).sort(byLabel);
}

const byLabel = (a: { label: string }, b: { label: string }) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);

/**
 * The public scoreboard of one connector, when its admin opted in: team-level scores and trends of
 * the last 12 weeks (or months). Teams with fewer answers than the minimum group size are left out,
 * since a very small team's score points at its few people, and so are weeks (months) of a team with
 * fewer answers (a gap in its line; with a second one when a single gap would follow from the team's
 * figure). Nothing else leaves: no comments, no names.
 */
export async function loadScoreboard(deps: AnalyticsDeps, connectorId: string, raw: unknown): Promise<ScoreboardView | null> {
  const def = await deps.connectors.get(connectorId);
  if (!def || !def.analytics.publicScoreboard) return null;
  const interval = (raw as { interval?: string } | undefined)?.interval === 'month' ? 'month' : 'week';
  const now = deps.now();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = interval === 'week' ? new Date(to.getTime() - 83 * 86_400_000) : new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1));
  const q = parseStatsQuery({ from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), connector: connectorId, groupBy: 'team', interval }, now);
  // Public: every team figure and every period of it counts as small-group data, and no total is
  // published (so hiding a team needs no second one; a team's single small week needs another).
  const report = await statsReport(deps.reader(), q, deps.minGroupSize, { rows: true, margins: false, marginsPublished: false });
  return {
    organisationName: def.survey.branding.organisationName,
    from: report.from,
    to: report.to,
    interval,
    teams: report.groups
      .filter((g) => !g.hidden)
      .map((g) => ({
        label: g.label,
        answered: g.funnel.answered,
        csat: g.csat,
        nps: g.nps,
        ces: g.ces,
        series: g.series.map((p) => ({ period: p.period, funnel: p.funnel, csat: p.csat, nps: p.nps, ces: p.ces, detractors: p.detractors, ...(p.hidden ? { hidden: true } : {}) })),
      })),
  };
}

/**
 * The scoreboard is public: a minute-old answer per connector and interval keeps anyone who reloads it
 * in a loop from running the stats query each time. Unknown or private connectors are not kept (a
 * mistyped id must not grow the cache).
 */
export function cachedScoreboard(deps: AnalyticsDeps, ttlMs = 60_000) {
  const cache = new TtlCache<ScoreboardView | null>(ttlMs, () => deps.now().getTime());
  return async (connectorId: string, raw: unknown): Promise<ScoreboardView | null> => {
    const key = `${connectorId}|${(raw as { interval?: string } | undefined)?.interval === 'month' ? 'month' : 'week'}`;
    const view = await cache.get(key, () => loadScoreboard(deps, connectorId, raw));
    if (!view) cache.invalidate(key);
    return view;
  };
}
