import type { FollowUpReport, ScoreboardReport, StatsReport, ThemesReport, TimeInterval } from './types.js';
import type { ActingView } from './acting-on-feedback.js';
import type { DashboardExtras } from './dashboard/extras.js';

/** What the dashboard page is rendered from (built by src/analytics/dashboard-data.ts). */
export interface DashboardView {
  /** The filter as the form shows it (dates as YYYY-MM-DD). */
  filter: { from: string; to: string; connector: string; interval: TimeInterval; team: string; agent?: string; category?: string; priority?: string };
  connectors: { id: string; name: string; publicScoreboard: boolean }[];
  /** Team options for the filter. */
  teams: { key: string; label: string }[];
  /** groupBy 'team' with the chosen interval: trend per team + scoreboard. */
  byTeam: StatsReport;
  /** groupBy 'agent' (small groups hidden). */
  byAgent: StatsReport;
  /** groupBy 'category'. */
  byCategory: StatsReport;
  followUps: FollowUpReport;
  themes: ThemesReport;
  /** Latest answers with a comment (admin only; customer text, must be shown escaped); `detractor` by the connector's own threshold. */
  recentComments: { ticket: string | null; team: string | null; scale: string; score: number; detractor: boolean; comment: string; submittedAt: string }[];
  /** Query string (without '?') of the current filter, for CSV export links. */
  exportQuery: string;
  /**
   * Every figure of this selection is withheld: its answers all belong to one agent, below the
   * minimum group size (the total would be that agent's figure).
   */
  withheld: boolean;
  /** Targets, change against the previous period, initiatives (src/analytics/acting-on-feedback.ts). */
  acting?: ActingView;
  /** Filtered to one agent: only the stats (small groups withheld) are shown. */
  perAgent?: boolean;
  /** Issue 15 additions (filter options, recovery, dimensions); absent in views built elsewhere. */
  extras?: DashboardExtras;
}

export type ScoreboardView = ScoreboardReport;
