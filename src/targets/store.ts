import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { AnalyticsReader } from '../analytics/reader.js';
import type { TargetPeriod } from './periods.js';
import { DEFAULT_KEY, DEFAULT_TEAM, type Target } from './schema.js';

/** feedback_targets (migrations/0025): one row per team key, '*' for the default. */
interface Row {
  team_key: string;
  period: TargetPeriod;
  csat_pct: string | null;
  nps: string | null;
  response_rate_pct: string | null;
  follow_up_on_time_pct: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const toTarget = (r: Row, labels: ReadonlyMap<string, string> = new Map()): Target => ({
  team: r.team_key === DEFAULT_KEY ? DEFAULT_TEAM : r.team_key,
  teamLabel: r.team_key === DEFAULT_KEY ? null : (labels.get(r.team_key) ?? null),
  period: r.period,
  csat: num(r.csat_pct),
  nps: num(r.nps),
  responseRate: num(r.response_rate_pct),
  followUpOnTime: num(r.follow_up_on_time_pct),
});
const keyOf = (team: string) => (team === DEFAULT_TEAM ? DEFAULT_KEY : team);
const SELECT = sql`SELECT team_key, period, csat_pct::text, nps::text, response_rate_pct::text, follow_up_on_time_pct::text FROM feedback_targets`;

export class TargetStore {
  constructor(private readonly db: Db) {}

  async list(labels?: ReadonlyMap<string, string>): Promise<Target[]> {
    const { rows } = await sql<Row>`${SELECT} ORDER BY team_key = '*' DESC, team_key`.execute(this.db);
    return rows.map((r) => toTarget(r, labels));
  }

  async get(team: string, labels?: ReadonlyMap<string, string>): Promise<Target | null> {
    const { rows } = await sql<Row>`${SELECT} WHERE team_key = ${keyOf(team)}`.execute(this.db);
    return rows[0] ? toTarget(rows[0], labels) : null;
  }

  /** Creates or replaces; says which, and whether anything changed. */
  async put(t: Omit<Target, 'teamLabel'>): Promise<'created' | 'updated' | 'unchanged'> {
    const before = await this.get(t.team);
    if (before && sameTarget(before, t)) return 'unchanged';
    await sql`
      INSERT INTO feedback_targets (team_key, period, csat_pct, nps, response_rate_pct, follow_up_on_time_pct)
      VALUES (${keyOf(t.team)}, ${t.period}, ${t.csat}, ${t.nps}, ${t.responseRate}, ${t.followUpOnTime})
      ON CONFLICT (team_key) DO UPDATE SET period = EXCLUDED.period, csat_pct = EXCLUDED.csat_pct, nps = EXCLUDED.nps,
        response_rate_pct = EXCLUDED.response_rate_pct, follow_up_on_time_pct = EXCLUDED.follow_up_on_time_pct, updated_at = now()`.execute(this.db);
    return before ? 'updated' : 'created';
  }

  async delete(team: string): Promise<boolean> {
    const r = await sql`DELETE FROM feedback_targets WHERE team_key = ${keyOf(team)}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }
}

export function sameTarget(a: Omit<Target, 'teamLabel'>, b: Omit<Target, 'teamLabel'>): boolean {
  return a.team === b.team && a.period === b.period && a.csat === b.csat && a.nps === b.nps && a.responseRate === b.responseRate && a.followUpOnTime === b.followUpOnTime;
}

/** The targets as analytics read them (through the analytics pool, like every figure of the dashboard). */
export async function readTargets(reader: AnalyticsReader): Promise<Target[]> {
  return (await reader.rows(sql<Row>`${SELECT} ORDER BY team_key`)).map((r) => toTarget(r));
}
