import { z } from 'zod';
import { TARGET_PERIODS, type TargetPeriod } from './periods.js';

/**
 * A score target as the admin API and the targets file take it. `team` is 'default' (every team
 * without its own target), a team key as the stats API shows it, or a team's name when only one team
 * has it. The four figures are optional; at least one is set.
 */
// Stored as numeric(5,2) (NPS numeric(5,1)): rounded here, so that applying the same file twice changes nothing.
const rounded = (decimals: number) => (v: number | null) => (v === null ? null : Math.round(v * 10 ** decimals) / 10 ** decimals);
const percent = (what: string) => z.number({ error: `must be a number (${what}, 0–100)` }).min(0, 'must be at least 0').max(100, 'must be at most 100');

export const METRICS = ['csat', 'nps', 'responseRate', 'followUpOnTime'] as const;
export type TargetMetric = (typeof METRICS)[number];

export const targetBodySchema = z
  .strictObject({
    team: z.string({ error: 'must be "default", a team key (<connector>:<group>) or a team name' }).trim().min(1, 'must not be empty').max(300),
    period: z.enum(TARGET_PERIODS, { error: `must be one of ${TARGET_PERIODS.join(', ')}` }).default('month'),
    csat: percent('% of answers 4 or 5 on 1–5').nullable().default(null).transform(rounded(2)),
    nps: z.number({ error: 'must be a number from -100 to 100' }).min(-100, 'must be at least -100').max(100, 'must be at most 100').nullable().default(null).transform(rounded(1)),
    responseRate: percent('% of surveys answered').nullable().default(null).transform(rounded(2)),
    followUpOnTime: percent('% of follow-ups closed within their due hours').nullable().default(null).transform(rounded(2)),
  })
  .superRefine((t, ctx) => {
    if (METRICS.every((m) => t[m] === null)) ctx.addIssue({ code: 'custom', path: ['csat'], message: `set at least one of ${METRICS.join(', ')}` });
  });

export type TargetBody = z.infer<typeof targetBodySchema>;

export interface Target {
  /** 'default', or the team's key. */
  team: string;
  teamLabel: string | null;
  period: TargetPeriod;
  csat: number | null;
  nps: number | null;
  responseRate: number | null;
  followUpOnTime: number | null;
}

export const DEFAULT_TEAM = 'default';
/** How the default is stored (team_key '*'). */
export const DEFAULT_KEY = '*';

export function issuesText(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)'}: ${i.message}`).join('; ');
}
