import type { Figures, FollowUpFigures, GroupFigures, PeriodFigures, StatsReport, TimeInterval } from '../../src/analytics/types.js';
import type { DashboardView, ScoreboardView } from '../../src/analytics/views.js';
import { ces, csat, funnel, nps, visibleForAgent } from '../../src/rules/scores.js';
import { SCALES, type Scale } from '../../src/rules/scales.js';
import { seededRandom } from '../../src/rules/sampling.js';

/**
 * Realistic, deterministic views for the dashboard and scoreboard tests: surveys are generated
 * (seeded), then aggregated with the real score functions (src/rules/scores.ts), so every figure
 * is consistent with the others (funnels add up, CSAT intervals are Wilson intervals, …).
 */

/** Sets window.__xss if it ever runs; shown as text when escaped. */
export const HOSTILE_COMMENT = '<img src=x onerror=alert(1)>';
export const HOSTILE_COMMENT_2 = '</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2"><!-- \u2028\u2029 &amp;';
export const HOSTILE_TEAM = '</script><script>window.__xss=3</script><img src=x onerror=window.__xss=4> Apps & "Identity"';
export const HOSTILE_OUTCOME = '<svg onload="window.__xss=5">Called back</svg>';

interface Survey {
  team: string;
  agent: string;
  category: string;
  period: string;
  delivered: boolean;
  answer: { scale: Scale; score: number } | null;
}

const rng = seededRandom;

const addDays = (ymd: string, days: number) => new Date(Date.parse(`${ymd}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function aggregate(surveys: Survey[], detractorOf: (scale: Scale, score: number) => boolean): Figures {
  const answered = surveys.filter((s) => s.answer);
  const scores = (scale: Scale) => answered.filter((s) => s.answer!.scale === scale).map((s) => s.answer!.score);
  const c = scores('csat');
  const n = scores('nps');
  const e = scores('ces');
  return {
    funnel: funnel(surveys.length, surveys.filter((s) => s.delivered).length, answered.length),
    csat: c.length ? csat(c) : null,
    nps: n.length ? nps(n) : null,
    ces: e.length ? ces(e) : null,
    detractors: answered.filter((s) => detractorOf(s.answer!.scale, s.answer!.score)).length,
  };
}

const isDetractor = (scale: Scale, score: number) => score <= SCALES[scale].detractorMax;

function withheld(): Figures {
  return { funnel: { sent: 0, delivered: null, answered: 0, responseRate: null }, csat: null, nps: null, ces: null, detractors: 0, hidden: true };
}

function report(surveys: Survey[], keyOf: (s: Survey) => string, opts: { from: string; to: string; interval: TimeInterval; groupBy: StatsReport['groupBy']; minAgentGroupSize: number; hideSmall?: boolean }): StatsReport {
  const periods = [...new Set(surveys.map((s) => s.period))].sort();
  const series = (subset: Survey[]): PeriodFigures[] => periods.map((period) => ({ period, ...aggregate(subset.filter((s) => s.period === period), isDetractor) }));
  const keys = [...new Set(surveys.map(keyOf))].sort();
  const groups: GroupFigures[] = keys.map((key) => {
    const subset = surveys.filter((s) => keyOf(s) === key);
    const figures = aggregate(subset, isDetractor);
    const hide = opts.hideSmall && !visibleForAgent(figures.funnel.answered, opts.minAgentGroupSize);
    return hide
      ? { key, label: key, ...withheld(), series: [] }
      : { key, label: key, ...figures, series: opts.interval === 'none' ? [] : series(subset) };
  });
  return {
    from: opts.from,
    to: opts.to,
    groupBy: opts.groupBy,
    interval: opts.interval,
    minAgentGroupSize: opts.minAgentGroupSize,
    total: { ...aggregate(surveys, isDetractor), series: opts.interval === 'none' ? [] : series(surveys) },
    groups,
  };
}

export interface FixtureOptions {
  /** Names of the three teams (the third may be hostile). */
  teams?: [string, string, string];
  weeks?: number;
  /** Which scales the answers use. */
  scales?: Scale[];
  /** No surveys at all (the empty state). */
  empty?: boolean;
}

export const REALISTIC_TEAMS: [string, string, string] = ['Service Desk', 'Network & Infrastructure', 'Workplace Apps'];
const FROM = '2025-01-06'; // a Monday

function generate(opts: FixtureOptions): Survey[] {
  if (opts.empty) return [];
  const random = rng(20250106);
  const teams = opts.teams ?? REALISTIC_TEAMS;
  const weeks = opts.weeks ?? 8;
  const scales = opts.scales ?? ['csat', 'nps'];
  const agents: Record<string, string[]> = {
    [teams[0]]: ['Alex Morgan', 'Sam Patel', 'Jordan Lee', 'Robin Vogel'],
    [teams[1]]: ['Kim Tanaka', 'Lee Okafor', 'Chris Novak'],
    [teams[2]]: ['Dana Weiss', 'Noa Haddad', 'Max Berg'],
  };
  const categories = ['Hardware', 'Software', 'Access & accounts', 'Network', 'Printing'];
  // Satisfaction per team: one improving, one steady, one slipping.
  const quality = (team: number, week: number) => [0.72 + week * 0.025, 0.84, 0.8 - week * 0.03][team]!;
  const out: Survey[] = [];
  for (let w = 0; w < weeks; w++) {
    const period = addDays(FROM, w * 7);
    teams.forEach((team, t) => {
      const sent = 80 + Math.floor(random() * 40) + t * 10;
      for (let i = 0; i < sent; i++) {
        const teamAgents = agents[team]!;
        // The last agent of the service desk is new: too few answers to show.
        const agent = teamAgents[Math.min(Math.floor(random() * (teamAgents.length - 0.97)), teamAgents.length - 1)]!;
        const category = categories[Math.floor(random() * categories.length)]!;
        const delivered = random() > 0.03;
        let answer: Survey['answer'] = null;
        if (delivered && random() < 0.34) {
          const scale = scales[Math.floor(random() * scales.length)]!;
          const happy = random() < quality(t, w);
          const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
          const score = scale === 'csat' ? (happy ? pick(4, 5) : pick(1, 3)) : scale === 'nps' ? (happy ? pick(8, 10) : pick(2, 7)) : happy ? pick(5, 7) : pick(1, 4);
          answer = { scale, score };
        }
        out.push({ team, agent, category, period, delivered, answer });
      }
    });
  }
  return out;
}

function followUpFigures(key: string, detractors: number, i: number): FollowUpFigures {
  const tasksCreated = detractors;
  const createdQuickly = Math.max(0, detractors - (i % 2));
  const closedWithin24h = Math.max(0, detractors - 2 - i);
  const open = Math.min(detractors, 1 + (i % 3));
  const overdue = Math.min(open, i % 2);
  return {
    key,
    label: key,
    detractors,
    tasksCreated,
    createdQuickly,
    createdQuicklyShare: tasksCreated ? createdQuickly / tasksCreated : null,
    withinMinutes: 15,
    closedWithin24h,
    closedWithin24hShare: tasksCreated ? closedWithin24h / tasksCreated : null,
    open,
    overdue,
    overdueNow: Math.min(open, overdue),
    closedWithinDue: closedWithin24h,
    closedWithinDueShare: tasksCreated ? closedWithin24h / tasksCreated : null,
    escalated: overdue,
    outcomesRecorded: Math.max(0, tasksCreated - open - 1),
  };
}

export function dashboardFixture(opts: FixtureOptions = {}): DashboardView {
  const teams = opts.teams ?? REALISTIC_TEAMS;
  const weeks = opts.weeks ?? 8;
  const to = addDays(FROM, weeks * 7 - 1);
  const surveys = generate(opts);
  const common = { from: FROM, to, interval: 'week' as const, minAgentGroupSize: 5 };
  const byTeam = report(surveys, (s) => s.team, { ...common, groupBy: 'team' });
  const byAgent = report(surveys, (s) => s.agent, { ...common, groupBy: 'agent', hideSmall: true });
  const byCategory = report(surveys, (s) => s.category, { ...common, groupBy: 'category' });
  const groups = byTeam.groups.map((g, i) => followUpFigures(g.key, g.detractors, i));
  const sum = (k: keyof FollowUpFigures) => groups.reduce((a, g) => a + (g[k] as number), 0);
  const totalTasks = sum('tasksCreated');
  const empty = !!opts.empty;
  return {
    filter: { from: FROM, to, connector: '', interval: 'week', team: '' },
    connectors: [
      { id: 'snow', name: 'ServiceNow (production)', publicScoreboard: true },
      { id: 'jira', name: 'Jira Service Management', publicScoreboard: false },
    ],
    teams: teams.map((t) => ({ key: t, label: t })),
    byTeam,
    byAgent,
    byCategory,
    followUps: {
      from: FROM,
      to,
      groupBy: 'team',
      total: {
        key: '',
        label: 'All teams',
        detractors: sum('detractors'),
        tasksCreated: totalTasks,
        createdQuickly: sum('createdQuickly'),
        createdQuicklyShare: totalTasks ? sum('createdQuickly') / totalTasks : null,
        withinMinutes: 15,
        closedWithin24h: sum('closedWithin24h'),
        closedWithin24hShare: totalTasks ? sum('closedWithin24h') / totalTasks : null,
        open: sum('open'),
        overdue: sum('overdue'),
        overdueNow: sum('overdueNow'),
        closedWithinDue: sum('closedWithinDue'),
        closedWithinDueShare: totalTasks ? sum('closedWithinDue') / totalTasks : null,
        escalated: sum('escalated'),
        outcomesRecorded: sum('outcomesRecorded'),
      },
      groups: empty ? [] : groups,
      recentOutcomes: empty
        ? []
        : [
            { ticket: 'INC0010231', team: teams[0], outcome: 'Called back, replaced the docking station; customer happy now.', closedAt: '2025-02-27T15:42:00.000Z' },
            { ticket: 'INC0010198', team: teams[2], outcome: HOSTILE_OUTCOME, closedAt: '2025-02-26T09:05:00.000Z' },
            { ticket: null, team: null, outcome: 'Could not reach the customer after three attempts.', closedAt: '2025-02-25T11:30:00.000Z' },
          ],
    },
    themes: {
      from: FROM,
      to,
      overall: empty
        ? { comments: 0, terms: [] }
        : {
            comments: 212,
            terms: [
              { term: 'slow', count: 41, share: 41 / 212, groups: 3 },
              { term: 'password reset', count: 23, share: 23 / 212, groups: 2 },
              { term: 'vpn', count: 19, share: 19 / 212, groups: 1 },
              { term: 'thank you', count: 17, share: 17 / 212, groups: 3 },
            ],
          },
      groups: empty
        ? []
        : [
            {
              key: teams[0],
              label: teams[0],
              comments: 96,
              terms: [
                { term: 'password reset', count: 21, share: 21 / 96, overallShare: 23 / 212, lift: 21 / 96 / (23 / 212), kind: 'team' },
                { term: 'slow', count: 12, share: 12 / 96, overallShare: 41 / 212, lift: 12 / 96 / (41 / 212), kind: 'systemic' },
              ],
            },
            {
              key: teams[1],
              label: teams[1],
              comments: 40,
              terms: [
                { term: 'vpn', count: 19, share: 19 / 40, overallShare: 19 / 212, lift: 19 / 40 / (19 / 212), kind: 'team' },
                { term: 'slow', count: 12, share: 12 / 40, overallShare: 41 / 212, lift: 12 / 40 / (41 / 212), kind: 'systemic' },
              ],
            },
            { key: teams[2], label: teams[2], comments: 76, terms: [{ term: 'slow', count: 17, share: 17 / 76, overallShare: 41 / 212, lift: 17 / 76 / (41 / 212), kind: 'systemic' }] },
          ],
    },
    recentComments: empty
      ? []
      : [
          { ticket: 'INC0010240', team: teams[2], scale: 'csat', score: 1, detractor: true, comment: HOSTILE_COMMENT, submittedAt: '2025-02-28T10:15:00.000Z' },
          { ticket: 'INC0010239', team: teams[0], scale: 'nps', score: 3, detractor: true, comment: HOSTILE_COMMENT_2, submittedAt: '2025-02-28T09:02:00.000Z' },
          { ticket: 'INC0010236', team: teams[1], scale: 'csat', score: 5, detractor: false, comment: 'Quick and friendly, the VPN works again.\nThanks Kim!', submittedAt: '2025-02-27T16:20:00.000Z' },
          { ticket: null, team: null, scale: 'nps', score: 9, detractor: false, comment: 'Great service as always.', submittedAt: '2025-02-27T08:45:00.000Z' },
        ],
    exportQuery: `from=${FROM}&to=${to}&interval=week`,
    withheld: false,
  };
}

export function scoreboardFixture(opts: FixtureOptions = {}): ScoreboardView {
  const dash = dashboardFixture(opts);
  return {
    organisationName: 'Acme IT',
    from: dash.byTeam.from,
    to: dash.byTeam.to,
    interval: dash.byTeam.interval,
    teams: dash.byTeam.groups.map((g) => ({ label: g.label, answered: g.funnel.answered, csat: g.csat, nps: g.nps, ces: g.ces, series: g.series })),
  };
}
