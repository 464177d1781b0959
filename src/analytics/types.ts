import type { Interval } from '../rules/scores.js';

/** Shapes returned by the stats API (`/admin/stats*`) and consumed by the dashboard and scoreboard. */

export const GROUP_BYS = ['none', 'connector', 'team', 'agent', 'category', 'priority'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const INTERVALS = ['none', 'day', 'week', 'month'] as const;
export type TimeInterval = (typeof INTERVALS)[number];

/** Which surveys a figure covers. Surveys count in the period of their send date (a cohort), so the response rate is a true share. */
export interface StatsFilter {
  /** Inclusive start (UTC midnight of this day). */
  from: Date;
  /** Exclusive end (UTC midnight of the day after `to`). */
  to: Date;
  connectorId?: string;
  team?: string;
  agent?: string;
  category?: string;
  priority?: string;
}

export interface CsatFigure {
  n: number;
  topTwo: number;
  /** 0..1 */
  share: number | null;
  interval: Interval | null;
}
export interface NpsFigure {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** −100..100 */
  score: number | null;
  /** 95% margin of error and interval of the score (trinomial standard error; src/analytics/margins.ts); null below 2 answers. */
  margin?: number | null;
  interval?: Interval | null;
}
export interface CesFigure {
  n: number;
  mean: number | null;
  /** 95% margin of error and t-interval of the mean (src/analytics/margins.ts); null below 2 answers. */
  margin?: number | null;
  interval?: Interval | null;
}

export interface Funnel {
  sent: number;
  /** null when no delivery events were ever recorded for these surveys (SMTP, or SES without SNS events). */
  delivered: number | null;
  answered: number;
  /** answered / sent, 0..1 */
  responseRate: number | null;
}

/** Figures for one group (or the total) over one period. */
export interface Figures {
  funnel: Funnel;
  /** One figure per scale; null when no survey of that scale was answered. */
  csat: CsatFigure | null;
  nps: NpsFigure | null;
  ces: CesFigure | null;
  /** Answers at or below the connector's detractor threshold. */
  detractors: number;
  /** True when figures are withheld (agent groups below the minimum size): every number above is zeroed/null. */
  hidden?: boolean;
}

export interface PeriodFigures extends Figures {
  /** Period start, YYYY-MM-DD (UTC; weeks start on Monday). */
  period: string;
}

export interface GroupFigures extends Figures {
  /** Grouping value (team id/name, agent id, category…); '' when the ticket had none. */
  key: string;
  label: string;
  series: PeriodFigures[];
}

export interface StatsReport {
  from: string;
  to: string;
  groupBy: GroupBy;
  interval: TimeInterval;
  minAgentGroupSize: number;
  total: Figures & { series: PeriodFigures[] };
  groups: GroupFigures[];
}

export interface FollowUpFigures {
  key: string;
  label: string;
  detractors: number;
  tasksCreated: number;
  /** Created within `withinMinutes` of the answer. */
  createdQuickly: number;
  createdQuicklyShare: number | null;
  withinMinutes: number;
  closedWithin24h: number;
  closedWithin24hShare: number | null;
  open: number;
  /** Ever marked overdue (open at its due time), whatever happened later. */
  overdue: number;
  /** Open now and past its due time. */
  overdueNow: number;
  /** Closed at or before its due time (answer + the connector's own followUp.dueHours). */
  closedWithinDue: number;
  closedWithinDueShare: number | null;
  escalated: number;
  outcomesRecorded: number;
}

export interface FollowUpReport {
  from: string;
  to: string;
  groupBy: GroupBy;
  total: FollowUpFigures;
  groups: FollowUpFigures[];
  /** Most recent recorded outcomes (admin only). */
  recentOutcomes: { ticket: string | null; team: string | null; outcome: string; closedAt: string }[];
}

export interface ThemeTerm {
  /** A word or a two-word phrase, lower-cased. */
  term: string;
  /** Comments in this group that use it. */
  count: number;
  /** count / comments in this group */
  share: number;
  /** Share among all comments (all groups). */
  overallShare: number;
  /** share / overallShare: >1 means this group talks about it more than others. */
  lift: number;
  /** 'team' when mostly this group's issue, 'systemic' when common across groups. */
  kind: 'team' | 'systemic';
}

export interface ThemeGroup {
  key: string;
  label: string;
  comments: number;
  terms: ThemeTerm[];
}

export interface ThemesReport {
  from: string;
  to: string;
  /** Terms frequent across all comments. */
  overall: { comments: number; terms: { term: string; count: number; share: number; groups: number }[] };
  groups: ThemeGroup[];
}

/** A public, opt-in view: team-level scores and trends only, never comments or names of people. */
export interface ScoreboardReport {
  organisationName: string;
  from: string;
  to: string;
  interval: TimeInterval;
  teams: { label: string; answered: number; csat: CsatFigure | null; nps: NpsFigure | null; ces: CesFigure | null; series: PeriodFigures[] }[];
}
