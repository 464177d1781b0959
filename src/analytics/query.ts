import { z } from 'zod';
import { HttpError } from '../http/app.js';
import { MAX_PERIODS, periodsBetween } from './periods.js';
import { GROUP_BYS, INTERVALS, type GroupBy, type StatsFilter, type TimeInterval } from './types.js';

const DAY = 86_400_000;
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-22')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');
const text = z.string().trim().min(1).max(200).optional();

const schema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id').optional(),
    team: text,
    agent: text,
    category: text,
    priority: text,
    groupBy: z.enum(GROUP_BYS).default('none'),
    interval: z.enum(INTERVALS).default('week'),
    withinMinutes: z.coerce.number().int().min(1).max(1440).default(15),
  })
  .strip();

export interface StatsQuery {
  filter: StatsFilter;
  groupBy: GroupBy;
  interval: TimeInterval;
  withinMinutes: number;
}

/**
 * The query string of every stats route. Dates are whole UTC days, `to` inclusive; without them the
 * last 12 weeks up to today. Empty strings (an untouched form field) count as absent.
 */
export function parseStatsQuery(raw: unknown, now: Date, defaults: { groupBy?: GroupBy; interval?: TimeInterval } = {}): StatsQuery {
  const cleaned = Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse({ groupBy: defaults.groupBy, interval: defaults.interval, ...cleaned });
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const q = parsed.data;
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY) : new Date(today.getTime() + DAY);
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 84 * DAY);
  if (from >= to) throw new HttpError(400, 'from: must be on or before to');
  if (to.getTime() - from.getTime() > 3700 * DAY) throw new HttpError(400, 'from: the range may span at most 10 years');
  const periods = periodsBetween(from, to, q.interval).length;
  if (periods > MAX_PERIODS) throw new HttpError(400, `interval: ${q.interval} makes ${periods} periods in this range (at most ${MAX_PERIODS}); choose a longer interval or a shorter range`);
  return {
    filter: { from, to, connectorId: q.connector, team: q.team, agent: q.agent, category: q.category, priority: q.priority },
    groupBy: q.groupBy,
    interval: q.interval,
    withinMinutes: q.withinMinutes,
  };
}

/** The inclusive last day of a filter, as the form shows it. */
export const lastDay = (f: StatsFilter) => new Date(f.to.getTime() - DAY).toISOString().slice(0, 10);
export const firstDay = (f: StatsFilter) => f.from.toISOString().slice(0, 10);

/** Follow-ups, themes, answers and the dashboard are never shown per agent (one person's customers). */
export function refusePerAgent(q: StatsQuery, what: string): void {
  if (q.groupBy === 'agent') throw new HttpError(400, `groupBy: ${what} not available per agent`);
  if (q.filter.agent) throw new HttpError(400, `agent: ${what} not available per agent`);
}
