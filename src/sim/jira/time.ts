/** Time zones the way Jira uses them: REST dates carry the viewer's offset, JQL dates are read in the viewer's zone. */

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallOf(ms: number, tz: string): Wall {
  const parts = fmt(tz).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? '0');
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute'), s: get('second') };
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (e.g. +120 for Europe/Berlin in summer). */
export function tzOffsetMinutes(ms: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const w = wallOf(ms, tz);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
}

/** The instant at which the wall clock in `tz` shows the given time. */
export function wallTimeToUtc(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let t = guess - tzOffsetMinutes(guess, tz) * 60_000;
  t = guess - tzOffsetMinutes(t, tz) * 60_000;
  return t;
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** Jira's REST date-time format: 2024-06-01T12:00:00.000+0200 (in the viewer's zone). */
export function formatJiraDate(ms: number, tz = 'UTC'): string {
  const off = tzOffsetMinutes(ms, tz);
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`
  );
}

/** Start of the calendar day containing `ms` in `tz`. */
export function startOfDay(ms: number, tz: string): number {
  const w = wallOf(ms, tz);
  return wallTimeToUtc(w.y, w.mo, w.d, 0, 0, tz);
}
