/**
 * What the digest shows from other parts of the product, as injection points (issue 15 items 1 and
 * 2 are built elsewhere): the composition root (src/service.ts, `digestProviders`) passes the real
 * implementations; until then the defaults below give nothing and the digest leaves those sections out.
 */

export interface DigestTeamRef {
  connectorId: string;
  /** As survey_facts / the stats API have it: '<connector>:<group id, else name>'. */
  teamKey: string;
  teamLabel: string;
  /** The reported week: [from, to). */
  period: { start: string; from: Date; to: Date };
}

export type TargetMetric = 'csat' | 'nps' | 'responseRate' | 'followUpOnTime';
export type TargetStatus = 'met' | 'at_risk' | 'missed';

export interface TeamTarget {
  metric: TargetMetric;
  /** CSAT, response rate, follow-up on time: a share 0..1; NPS: −100..100. */
  target: number;
  /** The targets module's own verdict; when absent the digest decides (src/digest/targets.ts). */
  status?: TargetStatus;
}

/** The team's targets for the period (issue 15 item 1). */
export type TargetsForTeam = (team: DigestTeamRef) => Promise<TeamTarget[]>;

export interface InitiativeSummary {
  title: string;
  owner: string | null;
  /** e.g. 'in_progress'; shown as given. */
  status: string;
  startedOn: string | null;
  endsOn: string | null;
  /** Themes or categories it addresses. */
  addresses: string[];
  url: string | null;
}

/** Improvement initiatives of the team (and systemic ones) that are in progress (issue 15 item 2). */
export type InitiativesInProgress = (team: DigestTeamRef) => Promise<InitiativeSummary[]>;

export interface DigestProviders {
  targetsForTeam: TargetsForTeam;
  initiativesInProgress: InitiativesInProgress;
}

export const noTargets: TargetsForTeam = async () => [];
export const noInitiatives: InitiativesInProgress = async () => [];
export const defaultDigestProviders: DigestProviders = { targetsForTeam: noTargets, initiativesInProgress: noInitiatives };
