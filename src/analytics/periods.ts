import type { TimeInterval } from './types.js';

/** Period keys (YYYY-MM-DD, UTC) as Postgres date_trunc makes them: days, ISO weeks (Monday), months. */

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);

export function periodStart(at: Date, interval: Exclude<TimeInterval, 'none'>): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (interval === 'week') return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
  if (interval === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  return d;
}

function next(d: Date, interval: Exclude<TimeInterval, 'none'>): Date {
  if (interval === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return new Date(d.getTime() + (interval === 'week' ? 7 : 1) * DAY);
}

/** Every period touching [from, to) in order, so that charts get a continuous axis (empty periods included). */
export function periodsBetween(from: Date, to: Date, interval: TimeInterval): string[] {
  if (interval === 'none' || to <= from) return [];
  const out: string[] = [];
  for (let p = periodStart(from, interval); p < to; p = next(p, interval)) out.push(iso(p));
  return out;
}

export const MAX_PERIODS = 400;
