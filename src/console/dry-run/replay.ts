import { decide, sampleDraw, type RulesConfig, type SuppressionReason } from '../../rules/index.js';

/**
 * "What would these rules have done?" — the stored closures of one connector replayed, in the order
 * they were decided, through the pure decide() with the given rules. Each closure is decided at the
 * moment it really was (so stale_closure and the cooldown read the same clock), with the same sample
 * draw, and against a history in which this connector's own earlier surveys are the replayed ones
 * while other connectors' surveys stay as they happened. Pure: data in, counts out.
 */
export interface ReplayClosure {
  closureId: string;
  ticketId: string;
  team: string;
  decidedAt: Date;
  closedAt: Date;
  closeCode: string | null;
  category: string | null;
  assignmentGroupId: string | null;
  assignmentGroupName: string | null;
  requesterId: string | null;
  resolverId: string | null;
  personId: string | null;
  email: string | null;
  timeZone: string | null;
}

export interface ReplayInput {
  connectorId: string;
  /** In the order they were decided. */
  closures: ReplayClosure[];
  /** Survey decisions that stay as they were: other connectors' (any time) and this connector's before the window. */
  fixedSurveys: Map<string, Date[]>;
  /** Tickets of this connector already surveyed before the window. */
  ticketsSurveyedBefore: Set<string>;
  /** Suppression periods per (normalised) email. */
  suppressions: Map<string, Array<{ reason: 'unsubscribed' | 'bounced' | 'complained' | 'manual'; from: Date; to: Date | null }>>;
}

export type Outcome = 'survey' | SuppressionReason;

export interface Tally {
  closures: number;
  surveyed: number;
  delayedBySendWindow: number;
  suppressed: Partial<Record<SuppressionReason, number>>;
}

export interface ReplayResult {
  total: Tally;
  byTeam: Map<string, Tally>;
  outcomes: Map<string, Outcome>;
}

const emptyTally = (): Tally => ({ closures: 0, surveyed: 0, delayedBySendWindow: 0, suppressed: {} });

export function replay(input: ReplayInput, rules: RulesConfig): ReplayResult {
  const mine = new Map<string, Date[]>(); // person → replayed surveys of this connector
  const ticketsSurveyed = new Set(input.ticketsSurveyedBefore);
  const total = emptyTally();
  const byTeam = new Map<string, Tally>();
  const outcomes = new Map<string, Outcome>();
  for (const c of input.closures) {
    const now = c.decidedAt;
    const person = c.personId ?? '';
    const surveyedAt = [...(input.fixedSurveys.get(person) ?? []), ...(mine.get(person) ?? [])].filter((d) => d.getTime() < now.getTime());
    const suppression = c.email ? (input.suppressions.get(c.email) ?? []).find((s) => s.from.getTime() <= now.getTime() && (s.to === null || s.to.getTime() > now.getTime()))?.reason ?? null : null;
    const d = decide({
      now,
      closure: { closedAt: c.closedAt, closeCode: c.closeCode, category: c.category, assignmentGroupId: c.assignmentGroupId, assignmentGroupName: c.assignmentGroupName, requesterId: c.requesterId, resolverId: c.resolverId },
      requester: { email: c.email, timeZone: c.timeZone },
      history: { surveyedAt, ticketAlreadySurveyed: ticketsSurveyed.has(c.ticketId), suppression },
      sampleDraw: sampleDraw(`${input.connectorId}:${c.closureId}`),
      rules,
    });
    const team = byTeam.get(c.team) ?? emptyTally();
    byTeam.set(c.team, team);
    for (const t of [total, team]) t.closures++;
    if (d.outcome === 'survey') {
      if (person) mine.set(person, [...(mine.get(person) ?? []), now]);
      ticketsSurveyed.add(c.ticketId);
      for (const t of [total, team]) {
        t.surveyed++;
        if (d.sendAt.getTime() > now.getTime()) t.delayedBySendWindow++;
      }
      outcomes.set(c.closureId, 'survey');
    } else {
      for (const t of [total, team]) t.suppressed[d.reason] = (t.suppressed[d.reason] ?? 0) + 1;
      outcomes.set(c.closureId, d.reason);
    }
  }
  return { total, byTeam, outcomes };
}

/** Before and after side by side: one row per outcome, for the total and each team, with the change. */
export function compare(before: ReplayResult, after: ReplayResult) {
  const reasons = [...new Set([...Object.keys(before.total.suppressed), ...Object.keys(after.total.suppressed)])].sort() as SuppressionReason[];
  const rows = (b: Tally, a: Tally) => [
    { label: 'surveyed', before: b.surveyed, after: a.surveyed, change: a.surveyed - b.surveyed },
    ...reasons.map((r) => ({ label: `suppressed: ${r}`, before: b.suppressed[r] ?? 0, after: a.suppressed[r] ?? 0, change: (a.suppressed[r] ?? 0) - (b.suppressed[r] ?? 0) })),
    { label: 'delayed by the send window', before: b.delayedBySendWindow, after: a.delayedBySendWindow, change: a.delayedBySendWindow - b.delayedBySendWindow },
  ];
  const teams = [...new Set([...before.byTeam.keys(), ...after.byTeam.keys()])].sort();
  return {
    closures: before.total.closures,
    total: rows(before.total, after.total),
    teams: teams.map((t) => {
      const b = before.byTeam.get(t) ?? emptyTally();
      const a = after.byTeam.get(t) ?? emptyTally();
      const teamReasons = [...new Set([...Object.keys(b.suppressed), ...Object.keys(a.suppressed)])].sort() as SuppressionReason[];
      return {
        team: t, closures: b.closures, surveyedBefore: b.surveyed, surveyedAfter: a.surveyed, change: a.surveyed - b.surveyed, suppressedBefore: b.closures - b.surveyed, suppressedAfter: a.closures - a.surveyed,
        reasons: teamReasons.map((r) => ({ reason: r, before: b.suppressed[r] ?? 0, after: a.suppressed[r] ?? 0 })),
      };
    }),
    changedClosures: [...after.outcomes].filter(([id, o]) => before.outcomes.get(id) !== o).length,
  };
}
