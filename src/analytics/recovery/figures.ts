import { NOT_REACHED_CODE } from '../../rules/outcome-codes.js';

/**
 * Recovery effectiveness (the service recovery paradox): what happened to each detractor's
 * follow-up, and what the customer answered the next time. Pure: one row per detractor in, figures
 * per group out. Definitions (README "Recovery effectiveness"):
 *
 * - base: detractors whose follow-up task was created in the ITSM, in the cohort of the detractor
 *   survey's send time (as every figure);
 * - closed on time: closed at or before the task's due time (answer + the connector's own
 *   followUp.dueHours); closed late otherwise; open: not closed yet, past due if its due time passed;
 * - never reached: closed with the code `could_not_reach`, or still open past its due time;
 * - time to contact: answer → task closed, for tasks closed with another code or none (the ITSMs
 *   report no separate first-contact time); the median, in minutes;
 * - next answer: the first survey of the same person (any connector) sent after the task closed that
 *   they answered — its standing answer; recovered when it is not a detractor (by its own connector's
 *   threshold). Recovery rate = recovered / detractors with a next answer.
 */
export interface RecoveryRow {
  key: string;
  label: string;
  /** The answer that made the follow-up (its answer time). */
  answeredAt: Date;
  status: string;
  dueAt: Date;
  closedAt: Date | null;
  outcomeCode: string | null;
  next: { detractor: boolean } | null;
}

export interface RecoveryFigures {
  key: string;
  label: string;
  detractors: number;
  closed: number;
  closedOnTime: number;
  /** closedOnTime / detractors */
  closedOnTimeShare: number | null;
  closedLate: number;
  open: number;
  openPastDue: number;
  /** Closed tasks per outcome code ('none': closed without a code). */
  outcomes: Record<string, number>;
  neverReached: number;
  /** neverReached / detractors */
  neverReachedShare: number | null;
  /** Tasks whose time to contact counts (closed, not could_not_reach). */
  contacted: number;
  medianMinutesToContact: number | null;
  withNextAnswer: number;
  recovered: number;
  /** recovered / withNextAnswer */
  recoveryRate: number | null;
  /** The same per outcome code: does reaching the customer change what they answer next? */
  byOutcome: Record<string, { withNextAnswer: number; recovered: number; recoveryRate: number | null }>;
}

const MINUTE = 60_000;
const ratio = (a: number, b: number) => (b ? a / b : null);

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function recoveryFigures(key: string, label: string, rows: readonly RecoveryRow[], now: Date): RecoveryFigures {
  const tally = new RecoveryTally(now);
  for (const r of rows) tally.add(r);
  return tally.figures(key, label);
}

/**
 * The same figures, row by row: a report over years of detractors adds each row as it is read and
 * keeps only counts (and the minutes to contact, for the median), never the rows themselves.
 */
export class RecoveryTally {
  private detractors = 0;
  private closed = 0;
  private closedOnTime = 0;
  private open = 0;
  private openPastDue = 0;
  private neverReached = 0;
  private withNextAnswer = 0;
  private recovered = 0;
  private readonly outcomes: Record<string, number> = {};
  private readonly byOutcome: Record<string, { withNextAnswer: number; recovered: number }> = {};
  private readonly minutes: number[] = [];

  constructor(private readonly now: Date) {}

  add(r: RecoveryRow): void {
    this.detractors++;
    if (r.status === 'closed' && r.closedAt) {
      this.closed++;
      if (r.closedAt.getTime() <= r.dueAt.getTime()) this.closedOnTime++;
      const code = r.outcomeCode ?? 'none';
      this.outcomes[code] = (this.outcomes[code] ?? 0) + 1;
      if (r.outcomeCode === NOT_REACHED_CODE) this.neverReached++;
      else this.minutes.push((r.closedAt.getTime() - r.answeredAt.getTime()) / MINUTE);
      if (r.next) {
        this.withNextAnswer++;
        const o = (this.byOutcome[code] ??= { withNextAnswer: 0, recovered: 0 });
        o.withNextAnswer++;
        if (!r.next.detractor) {
          this.recovered++;
          o.recovered++;
        }
      }
    } else if (r.status === 'open') {
      this.open++;
      if (r.dueAt.getTime() < this.now.getTime()) {
        this.openPastDue++;
        this.neverReached++;
      }
    }
  }

  figures(key: string, label: string): RecoveryFigures {
    const { detractors, closed, closedOnTime, neverReached, withNextAnswer, recovered } = this;
    return {
      key,
      label,
      detractors,
      closed,
      closedOnTime,
      closedOnTimeShare: ratio(closedOnTime, detractors),
      closedLate: closed - closedOnTime,
      open: this.open,
      openPastDue: this.openPastDue,
      outcomes: { ...this.outcomes },
      neverReached,
      neverReachedShare: ratio(neverReached, detractors),
      contacted: this.minutes.length,
      medianMinutesToContact: median(this.minutes),
      withNextAnswer,
      recovered,
      recoveryRate: ratio(recovered, withNextAnswer),
      byOutcome: Object.fromEntries(Object.entries(this.byOutcome).map(([c, o]) => [c, { ...o, recoveryRate: ratio(o.recovered, o.withNextAnswer) }])),
    };
  }
}
