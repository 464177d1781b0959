import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/**
 * Teams as analytics know them: the keys the stats API uses ('<connector>:<group id, else name>') and
 * their names, read from survey_facts. Targets, initiatives and imported feedback name a team by its
 * key, or — friendlier in files people write — by its name when exactly one team has that name.
 */
export interface TeamRef {
  key: string;
  label: string;
}

export type TeamLookup = { ok: true; team: TeamRef } | { ok: false; message: string };

/** A team key: '<connector id>:' followed by the group; the connector part as connector ids are. */
export const TEAM_KEY = /^[a-z0-9][a-z0-9-]{0,62}:.{0,300}$/s;

export class TeamDirectory {
  private teams: Promise<TeamRef[]> | null = null;
  private connectorIds: Promise<Set<string>> | null = null;

  constructor(private readonly db: Db) {}

  /** Every team with a survey, each key once (its latest name). Loaded once per directory. */
  all(): Promise<TeamRef[]> {
    this.teams ??= sql<TeamRef>`
      SELECT DISTINCT ON (team_key) team_key AS key, team_label AS label
      FROM survey_facts ORDER BY team_key, sent_at DESC`
      .execute(this.db)
      .then((r) => r.rows);
    return this.teams;
  }

  private connectors(): Promise<Set<string>> {
    this.connectorIds ??= this.db.selectFrom('connectors').select('id').execute().then((rows) => new Set(rows.map((r) => r.id)));
    return this.connectorIds;
  }

  /**
   * A key of a known connector is taken as given (a team that has no survey yet keeps its key, named after its group);
   * anything else is looked up by name, case-insensitively.
   */
  async resolve(input: string): Promise<TeamLookup> {
    const value = input.trim();
    if (TEAM_KEY.test(value) && (await this.connectors()).has(value.slice(0, value.indexOf(':')))) {
      const known = (await this.all()).find((t) => t.key === value);
      return { ok: true, team: known ?? { key: value, label: value.slice(value.indexOf(':') + 1) || '(no team)' } };
    }
    const matches = (await this.all()).filter((t) => t.label.toLowerCase() === value.toLowerCase());
    if (matches.length === 1) return { ok: true, team: matches[0]! };
    if (matches.length === 0) return { ok: false, message: `no team is called "${value.slice(0, 100)}"; give its key as the stats API shows it (<connector>:<group>)` };
    return { ok: false, message: `${matches.length} teams are called "${value.slice(0, 100)}" (${matches.map((m) => m.key).join(', ')}); give the key of the one you mean` };
  }
}
