import type { TimeInterval } from '../types.js';

const DAY = 86_400_000;

function periodEnd(start: Date, interval: Exclude<TimeInterval, 'none'>): Date {
  if (interval === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + (interval === 'week' ? 7 : 1) * DAY);
}

/**
 * Which trend periods hold fewer days than a whole one (pure): the first when the range starts after
 * its start, the last when the range ends before its end, and the one still running now (the current
 * week or month). Their figures are not comparable with whole periods; the dashboard marks them.
 * `from` and `to` are the inclusive range days (YYYY-MM-DD), periods their starts.
 */
export function partialPeriods(periods: readonly string[], interval: TimeInterval, from: string, to: string, now: Date): boolean[] {
  if (interval === 'none') return periods.map(() => false);
  const rangeFrom = Date.parse(`${from}T00:00:00Z`);
  const rangeTo = Date.parse(`${to}T00:00:00Z`) + DAY;
  return periods.map((p) => {
    const start = new Date(`${p}T00:00:00Z`);
    const end = periodEnd(start, interval).getTime();
    return start.getTime() < rangeFrom || end > rangeTo || (start.getTime() <= now.getTime() && now.getTime() < end);
  });
}
