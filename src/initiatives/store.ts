import { sql } from 'kysely';
import type { AnalyticsReader } from '../analytics/reader.js';
import type { Db } from '../db/client.js';
import type { InitiativeStatus } from './transitions.js';

/** initiatives and their side tables (migrations/0027). Dates as YYYY-MM-DD, times as ISO strings. */
export interface Initiative {
  id: string;
  title: string;
  owner: string;
  /** null: systemic (all teams). */
  team: { key: string; label: string } | null;
  status: InitiativeStatus;
  startDate: string | null;
  endDate: string | null;
  themes: string[];
  categories: string[];
  notes: string;
  publicSummary: string;
  effectWeeks: number;
  proposedAt: string | null;
  inProgressAt: string | null;
  doneAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InitiativeDetail extends Initiative {
  statusHistory: { from: InitiativeStatus | null; to: InitiativeStatus; at: string }[];
  citedItems: { id: string; kind: string; source: string; date: string; text: string }[];
  mirror: { connectorId: string; status: 'pending' | 'claimed' | 'done'; key: string | null; url: string | null; externalId: string | null; lastError: string | null } | null;
}

/** Everything stored about an initiative, resolved and checked (see service.ts). */
export interface InitiativeValues {
  title: string;
  owner: string;
  team: { key: string; label: string } | null;
  status: InitiativeStatus;
  startDate: string | null;
  endDate: string | null;
  themes: string[];
  categories: string[];
  notes: string;
  publicSummary: string;
  effectWeeks: number;
  citedItems: string[];
}

interface Row {
  id: string;
  title: string;
  owner: string;
  team_key: string | null;
  team_label: string | null;
  status: InitiativeStatus;
  start_date: string | null;
  end_date: string | null;
  themes: string[];
  categories: string[];
  notes: string;
  public_summary: string;
  effect_weeks: number;
  proposed_at: Date | null;
  in_progress_at: Date | null;
  done_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = sql`i.id::text, i.title, i.owner, i.team_key, i.team_label, i.status, to_char(i.start_date, 'YYYY-MM-DD') AS start_date,
  to_char(i.end_date, 'YYYY-MM-DD') AS end_date, i.themes, i.categories, i.notes, i.public_summary, i.effect_weeks,
  i.proposed_at, i.in_progress_at, i.done_at, i.created_at, i.updated_at`;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function fromRow(r: Row): Initiative {
  return {
    id: r.id,
    title: r.title,
    owner: r.owner,
    team: r.team_key === null ? null : { key: r.team_key, label: r.team_label ?? r.team_key },
    status: r.status,
    startDate: r.start_date,
    endDate: r.end_date,
    themes: r.themes,
    categories: r.categories,
    notes: r.notes,
    publicSummary: r.public_summary,
    effectWeeks: r.effect_weeks,
    proposedAt: iso(r.proposed_at),
    inProgressAt: iso(r.in_progress_at),
    doneAt: iso(r.done_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export interface ListFilter {
  status?: InitiativeStatus;
  /** A team key: that team's initiatives and the systemic ones. */
  team?: string;
  /** Initiatives of this connector's teams, and the systemic ones. */
  connectorId?: string;
  limit?: number;
}

/** Initiatives of a filter: in progress first, then proposed, then done (latest end first). */
export function listQuery(f: ListFilter) {
  const where = [sql`true`];
  if (f.status) where.push(sql`i.status = ${f.status}`);
  if (f.team !== undefined) where.push(sql`(i.team_key = ${f.team} OR i.team_key IS NULL)`);
  if (f.connectorId) where.push(sql`(i.team_key LIKE ${`${f.connectorId.replace(/[\\%_]/g, '\\$&')}:%`} OR i.team_key IS NULL)`);
  return sql<Row>`
    SELECT ${COLUMNS} FROM initiatives i WHERE ${sql.join(where, sql` AND `)}
    ORDER BY CASE i.status WHEN 'in_progress' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END, coalesce(i.end_date, i.start_date) DESC NULLS LAST, i.id DESC
    LIMIT ${f.limit ?? 500}`;
}

/** The same list read through the analytics reader (the dashboard reads everything there). */
export async function listInitiativesVia(reader: AnalyticsReader, f: ListFilter): Promise<Initiative[]> {
  return (await reader.rows(listQuery(f))).map(fromRow);
}

/** Reached states and the timestamp column each one sets. */
const REACHED: Record<InitiativeStatus, ('proposed_at' | 'in_progress_at' | 'done_at')[]> = {
  proposed: ['proposed_at'],
  in_progress: ['proposed_at', 'in_progress_at'],
  done: ['proposed_at', 'in_progress_at', 'done_at'],
};

export class InitiativeStore {
  constructor(private readonly db: Db) {}

  async create(v: InitiativeValues): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const reached = REACHED[v.status];
      const { rows } = await sql<{ id: string }>`
        INSERT INTO initiatives (title, owner, team_key, team_label, status, start_date, end_date, themes, categories, notes, public_summary, effect_weeks,
                                 proposed_at, in_progress_at, done_at)
        VALUES (${v.title}, ${v.owner}, ${v.team?.key ?? null}, ${v.team?.label ?? null}, ${v.status}, ${v.startDate}::date, ${v.endDate}::date,
                ${v.themes}::text[], ${v.categories}::text[], ${v.notes}, ${v.publicSummary}, ${v.effectWeeks},
                ${reached.includes('proposed_at') ? sql`now()` : null}, ${reached.includes('in_progress_at') ? sql`now()` : null}, ${reached.includes('done_at') ? sql`now()` : null})
        RETURNING id::text`.execute(trx);
      const id = rows[0]!.id;
      await sql`INSERT INTO initiative_status_changes (initiative_id, from_status, to_status) VALUES (${id}, NULL, ${v.status})`.execute(trx);
      if (v.citedItems.length) await sql`INSERT INTO initiative_feedback_items (initiative_id, item_id) SELECT ${id}, unnest(${v.citedItems}::bigint[])`.execute(trx);
      return id;
    });
  }

  async get(id: string): Promise<InitiativeDetail | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM initiatives i WHERE i.id = ${id}`.execute(this.db);
    if (!rows[0]) return null;
    const [history, items, mirror] = await Promise.all([
      sql<{ from_status: InitiativeStatus | null; to_status: InitiativeStatus; changed_at: Date }>`
        SELECT from_status, to_status, changed_at FROM initiative_status_changes WHERE initiative_id = ${id} ORDER BY id`.execute(this.db),
      sql<{ id: string; source_kind: string; source: string; item_date: string; text: string }>`
        SELECT f.id::text, f.source_kind, f.source, to_char(f.item_date, 'YYYY-MM-DD') AS item_date, f.text
        FROM initiative_feedback_items x JOIN feedback_items f ON f.id = x.item_id WHERE x.initiative_id = ${id} ORDER BY f.item_date, f.id`.execute(this.db),
      sql<{ connector_id: string; status: 'pending' | 'claimed' | 'done'; external_key: string | null; url: string | null; external_id: string | null; last_error: string | null }>`
        SELECT connector_id, status, external_key, url, external_id, last_error FROM initiative_mirrors WHERE initiative_id = ${id}`.execute(this.db),
    ]);
    const m = mirror.rows[0];
    return {
      ...fromRow(rows[0]),
      statusHistory: history.rows.map((h) => ({ from: h.from_status, to: h.to_status, at: new Date(h.changed_at).toISOString() })),
      citedItems: items.rows.map((i) => ({ id: i.id, kind: i.source_kind, source: i.source, date: i.item_date, text: i.text })),
      mirror: m ? { connectorId: m.connector_id, status: m.status, key: m.external_key, url: m.url, externalId: m.external_id, lastError: m.last_error } : null,
    };
  }

  async list(f: ListFilter = {}): Promise<Initiative[]> {
    return (await listQuery(f).execute(this.db)).rows.map(fromRow);
  }

  /** Writes the new values; a change of status is recorded with its time, and the state's timestamp set once. */
  async update(id: string, before: Initiative, v: InitiativeValues): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const changed = before.status !== v.status;
      const stamp = (col: 'in_progress_at' | 'done_at') => (changed && REACHED[v.status].includes(col) ? sql`coalesce(${sql.ref(col)}, now())` : sql.ref(col));
      await sql`
        UPDATE initiatives SET title = ${v.title}, owner = ${v.owner}, team_key = ${v.team?.key ?? null}, team_label = ${v.team?.label ?? null},
          status = ${v.status}, start_date = ${v.startDate}::date, end_date = ${v.endDate}::date, themes = ${v.themes}::text[],
          categories = ${v.categories}::text[], notes = ${v.notes}, public_summary = ${v.publicSummary}, effect_weeks = ${v.effectWeeks},
          in_progress_at = ${stamp('in_progress_at')}, done_at = ${stamp('done_at')}, updated_at = now()
        WHERE id = ${id}`.execute(trx);
      if (changed) await sql`INSERT INTO initiative_status_changes (initiative_id, from_status, to_status) VALUES (${id}, ${before.status}, ${v.status})`.execute(trx);
      await sql`DELETE FROM initiative_feedback_items WHERE initiative_id = ${id} AND NOT (item_id = ANY (${v.citedItems}::bigint[]))`.execute(trx);
      if (v.citedItems.length) {
        await sql`INSERT INTO initiative_feedback_items (initiative_id, item_id) SELECT ${id}, unnest(${v.citedItems}::bigint[]) ON CONFLICT DO NOTHING`.execute(trx);
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const r = await sql`DELETE FROM initiatives WHERE id = ${id}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  /** Which of these feedback item ids do not exist. */
  async missingItems(ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const { rows } = await sql<{ id: string }>`SELECT id::text FROM feedback_items WHERE id = ANY (${ids}::bigint[])`.execute(this.db);
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((i) => !found.has(i));
  }

  async citedItemIds(id: string): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`SELECT item_id::text AS id FROM initiative_feedback_items WHERE initiative_id = ${id} ORDER BY item_id`.execute(this.db);
    return rows.map((r) => r.id);
  }
}
