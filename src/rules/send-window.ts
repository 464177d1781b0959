// Send windows: hold a survey until business hours in the recipient's time zone.
//
// The window is defined on the local WALL CLOCK: "inside" means an allowed ISO weekday and
// start ≤ local time < end. All arithmetic is on instants plus the zone's UTC offset (luxon's
// IANAZone.offset), never on fixed 24 h steps, so DST days are handled:
// - spring forward (a local time that does not exist, e.g. 02:30 in Europe/Berlin on 2026-03-29):
//   the window opens at the first instant whose local time is at or after the start, i.e. the
//   transition itself (03:00 CEST). We do not use luxon's own gap handling (which would shift
//   02:30 by the gap length to 03:30), because then 03:10 would be "inside by the clock" yet
//   "before the opening instant" — the two definitions would disagree.
// - fall back (a local time that occurs twice, e.g. 01:30 in America/New_York on 2026-11-01):
//   the earlier occurrence. The result is never earlier than `now`.
import { IANAZone } from 'luxon';
import type { SendWindow } from './rules-config.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The zone to compute in: the recipient's if it is a valid IANA name (ITSMs send aliases like
 * `US/Pacific`, which are valid, but also `""` or free text), else the fallback, else UTC.
 */
export function resolveTimeZone(recipient: string | null, fallback: string): string {
  const own = recipient?.trim();
  if (own && IANAZone.isValidZone(own)) return own;
  const dflt = fallback.trim();
  return IANAZone.isValidZone(dflt) ? dflt : 'UTC';
}

/**
 * When to send: `now` if there is no window or `now` is inside it, otherwise the next opening
 * (which may be later today). Always ≥ `now`.
 */
export function nextSendTime(now: Date, window: SendWindow | null, recipientTimeZone: string | null): Date {
  if (window === null) return now;
  const zone = IANAZone.create(resolveTimeZone(recipientTimeZone, window.defaultTimeZone));
  const nowMs = now.getTime();
  // "Naive" milliseconds: the local wall time read as if it were UTC, so calendar maths is
  // plain integer arithmetic and Date's UTC getters give the local fields.
  const wallNow = wallOf(zone, nowMs);
  const today = Math.floor(wallNow / DAY_MS) * DAY_MS;
  const minuteNow = Math.floor((wallNow - today) / MINUTE_MS);
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);

  // 8 days: today plus a full week, so any non-empty set of weekdays is found.
  for (let i = 0; i <= 7; i++) {
    const day = today + i * DAY_MS;
    if (!window.days.includes(isoWeekday(day))) continue;
    if (i === 0 && minuteNow >= end) continue; // today's window is over
    if (i === 0 && minuteNow >= start) return now; // inside
    const open = earliestInstantAtOrAfter(zone, day + start * MINUTE_MS);
    // max: on a fall-back day the clock can read "before start" after the window already opened.
    return new Date(Math.max(open, nowMs));
  }
  // Only reachable with an empty `days`, which the schema rejects: a programming error.
  throw new RangeError('sendWindow.days must name at least one weekday');
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isoWeekday(naiveMs: number): number {
  const d = new Date(naiveMs).getUTCDay(); // 0 = Sunday
  return d === 0 ? 7 : d;
}

function wallOf(zone: IANAZone, instant: number): number {
  return instant + zone.offset(instant) * MINUTE_MS;
}

/** The earliest instant whose local wall time (naive ms) is at or after `wall`. */
function earliestInstantAtOrAfter(zone: IANAZone, wall: number): number {
  // The zone's offsets a day either side bracket any single transition near `wall`
  // (real zones never change offset twice within two days).
  const offBefore = zone.offset(wall - DAY_MS) * MINUTE_MS;
  const offAfter = zone.offset(wall + DAY_MS) * MINUTE_MS;
  const exact = [wall - offBefore, wall - offAfter].filter((t) => wallOf(zone, t) === wall);
  if (exact.length > 0) return Math.min(...exact); // normal day, or the earlier of two on fall-back

  // Spring-forward gap: the transition lies in (lo, hi]; wall(lo) < wall ≤ wall(hi), monotone between.
  let lo = wall - offAfter;
  let hi = wall - offBefore;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallOf(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
