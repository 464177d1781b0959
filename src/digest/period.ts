import { DateTime } from 'luxon';

/**
 * The digest's weeks (pure). A week runs from Monday 00:00 to the next Monday 00:00 in the digest's
 * time zone (so a team meeting in Berlin gets its Monday-to-Sunday, DST included); it is named by
 * that Monday's date. A digest sent at its day and hour covers the last full week before that moment.
 */
export interface DigestWeek {
  /** The Monday, YYYY-MM-DD (local). */
  start: string;
  from: Date;
  to: Date;
  timeZone: string;
}

const week = (monday: DateTime, timeZone: string): DigestWeek => ({
  start: monday.toISODate()!,
  from: monday.toJSDate(),
  to: monday.plus({ weeks: 1 }).toJSDate(),
  timeZone,
});

/** The week named by its Monday (YYYY-MM-DD); null when the date is not a Monday or not a date. */
export function weekStarting(monday: string, timeZone: string): DigestWeek | null {
  const d = DateTime.fromISO(monday, { zone: timeZone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(monday) || !d.isValid || d.weekday !== 1) return null;
  return week(d.startOf('day'), timeZone);
}

/** The last full week that ended at or before `now`. */
export function lastFullWeek(now: Date, timeZone: string): DigestWeek {
  const thisMonday = DateTime.fromJSDate(now, { zone: timeZone }).startOf('week');
  return week(thisMonday.minus({ weeks: 1 }), timeZone);
}

/** `count` weeks ending with `last` (oldest first). */
export function weeksEndingWith(last: DigestWeek, count: number): DigestWeek[] {
  const monday = DateTime.fromJSDate(last.from, { zone: last.timeZone });
  return Array.from({ length: count }, (_, i) => week(monday.minus({ weeks: count - 1 - i }), last.timeZone));
}

/** The latest moment at or before `now` that is weekday `day` (1 = Monday), `hour`:00 in `timeZone`. */
export function lastSendMoment(now: Date, s: { day: number; hour: number; timeZone: string }): Date {
  const local = DateTime.fromJSDate(now, { zone: s.timeZone });
  let candidate = local.startOf('week').plus({ days: s.day - 1 }).set({ hour: s.hour, minute: 0, second: 0, millisecond: 0 });
  if (candidate > local) candidate = candidate.minus({ weeks: 1 });
  return candidate.toJSDate();
}

/** BullMQ's cron pattern (minute hour * * weekday; cron counts Sunday as 0) for the digest's send time. */
export const cronPattern = (s: { day: number; hour: number }) => `0 ${s.hour} * * ${s.day % 7}`;
