/**
 * The periods targets are judged over (pure, UTC): ISO weeks from Monday, calendar months and
 * quarters. A range is [from, to) in whole UTC days.
 */
export const TARGET_PERIODS = ['week', 'month', 'quarter'] as const;
export type TargetPeriod = (typeof TARGET_PERIODS)[number];

export interface DayRange {
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
export const ymd = (d: Date) => d.toISOString().slice(0, 10);
export const daysIn = (r: DayRange) => Math.round((r.to.getTime() - r.from.getTime()) / DAY);

/** The week, month or quarter that contains `day`. */
export function periodContaining(day: Date, period: TargetPeriod): DayRange {
  const d = utcDay(day);
  if (period === 'week') {
    const from = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
    return { from, to: new Date(from.getTime() + 7 * DAY) };
  }
  const months = period === 'month' ? 1 : 3;
  const first = period === 'month' ? d.getUTCMonth() : d.getUTCMonth() - (d.getUTCMonth() % 3);
  return { from: new Date(Date.UTC(d.getUTCFullYear(), first, 1)), to: new Date(Date.UTC(d.getUTCFullYear(), first + months, 1)) };
}

/** The period just before `range` (of the same kind, so a month before March is February: 28 or 29 days). */
export function previousPeriod(range: DayRange, period: TargetPeriod): DayRange {
  return periodContaining(new Date(range.from.getTime() - DAY), period);
}

/** The range of the same length just before `range` (the dashboard's "previous period"). */
export function precedingRange(range: DayRange): DayRange {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}

/** How much of a period has passed by the end of `today` (a period that is not over is judged "so far"). */
export function elapsed(range: DayRange, today: Date): { days: number; of: number; complete: boolean } {
  const end = utcDay(today).getTime() + DAY;
  const of = daysIn(range);
  const days = Math.max(0, Math.min(of, Math.round((end - range.from.getTime()) / DAY)));
  return { days, of, complete: days >= of };
}
