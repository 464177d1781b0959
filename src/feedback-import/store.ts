import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { SourceKind } from './schema.js';

/** feedback_items (migrations/0026). */
export interface FeedbackItem {
  id: string;
  kind: SourceKind;
  source: string;
  date: string;
  team: { key: string; label: string } | null;
  category: string | null;
  score: { value: number; scale: 'csat' | 'nps' | 'ces' | 'range'; min: number; max: number } | null;
  text: string;
  externalId: string | null;
  importedAt: string;
  updatedAt: string;
}

/** An item ready to store: validated, its team resolved. */
export interface ItemValues {
  kind: SourceKind;
  source: string;
  date: string;
  team: { key: string; label: string } | null;
  category: string | null;
  score: number | null;
  scale: { kind: 'csat' | 'nps' | 'ces' | 'range'; min: number; max: number } | null;
  text: string;
  externalId: string | null;
}

/**
 * The key that makes a re-import idempotent: the source's own id when the row has one (then a
 * corrected row updates its item), else a hash of everything the item says.
 */
export function dedupeKey(v: ItemValues): string {
  if (v.externalId !== null) return `ext:${v.kind}:${v.source}:${v.externalId}`;
  const content = JSON.stringify([v.kind, v.source, v.date, v.team?.key ?? null, v.category, v.score, v.scale?.kind ?? null, v.scale?.min ?? null, v.scale?.max ?? null, v.text]);
  return `hash:${createHash('sha256').update(content).digest('hex')}`;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  ids: string[];
}

interface Row {
  id: string;
  source_kind: SourceKind;
  source: string;
  item_date: string;
  team_key: string | null;
  team_label: string | null;
  category: string;
  score: string | null;
  score_scale: 'csat' | 'nps' | 'ces' | 'range' | null;
  score_min: string | null;
  score_max: string | null;
  text: string;
  external_id: string | null;
  imported_at: Date;
  updated_at: Date;
}

const fromRow = (r: Row): FeedbackItem => ({
  id: r.id,
  kind: r.source_kind,
  source: r.source,
  date: r.item_date,
  team: r.team_key === null ? null : { key: r.team_key, label: r.team_label ?? r.team_key },
  category: r.category || null,
  score: r.score === null || r.score_scale === null ? null : { value: Number(r.score), scale: r.score_scale, min: Number(r.score_min), max: Number(r.score_max) },
  text: r.text,
  externalId: r.external_id,
  importedAt: new Date(r.imported_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export interface ItemFilter {
  from?: string;
  to?: string;
  team?: string;
  connectorId?: string;
  kind?: SourceKind;
  limit?: number;
}

export class FeedbackItemStore {
  constructor(private readonly db: Db) {}

  /** All or nothing: one transaction for the batch. */
  async upsert(items: readonly ItemValues[]): Promise<UpsertCounts> {
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0, ids: [] };
    if (!items.length) return counts;
    await this.db.transaction().execute(async (trx) => {
      for (const v of items) {
        const { rows } = await sql<{ id: string; inserted: boolean }>`
          INSERT INTO feedback_items (source_kind, source, item_date, team_key, team_label, category, score, score_scale, score_min, score_max, text, external_id, dedupe_key)
          VALUES (${v.kind}, ${v.source}, ${v.date}::date, ${v.team?.key ?? null}, ${v.team?.label ?? null}, ${v.category ?? ''}, ${v.score},
                  ${v.scale?.kind ?? null}, ${v.scale?.min ?? null}, ${v.scale?.max ?? null}, ${v.text}, ${v.externalId}, ${dedupeKey(v)})
          ON CONFLICT (dedupe_key) DO UPDATE SET item_date = EXCLUDED.item_date, team_key = EXCLUDED.team_key, team_label = EXCLUDED.team_label,
            category = EXCLUDED.category, score = EXCLUDED.score, score_scale = EXCLUDED.score_scale, score_min = EXCLUDED.score_min,
            score_max = EXCLUDED.score_max, text = EXCLUDED.text, updated_at = now()
          WHERE (feedback_items.item_date, feedback_items.team_key, feedback_items.category, feedback_items.score, feedback_items.score_scale,
                 feedback_items.score_min, feedback_items.score_max, feedback_items.text)
            IS DISTINCT FROM (EXCLUDED.item_date, EXCLUDED.team_key, EXCLUDED.category, EXCLUDED.score, EXCLUDED.score_scale,
                 EXCLUDED.score_min, EXCLUDED.score_max, EXCLUDED.text)
          RETURNING id::text, (xmax = 0) AS inserted`.execute(trx);
        const r = rows[0];
        if (!r) {
          counts.unchanged++;
          const existing = await sql<{ id: string }>`SELECT id::text FROM feedback_items WHERE dedupe_key = ${dedupeKey(v)}`.execute(trx);
          counts.ids.push(existing.rows[0]!.id);
        } else {
          if (r.inserted) counts.inserted++;
          else counts.updated++;
          counts.ids.push(r.id);
        }
      }
    });
    return counts;
  }

  async list(f: ItemFilter = {}): Promise<FeedbackItem[]> {
    const where = [sql`true`];
    if (f.from) where.push(sql`item_date >= ${f.from}::date`);
    if (f.to) where.push(sql`item_date <= ${f.to}::date`);
    if (f.team !== undefined) where.push(sql`team_key = ${f.team}`);
    if (f.connectorId) where.push(sql`team_key LIKE ${`${f.connectorId.replace(/[\\%_]/g, '\\$&')}:%`}`);
    if (f.kind) where.push(sql`source_kind = ${f.kind}`);
    const { rows } = await sql<Row>`
      SELECT id::text, source_kind, source, to_char(item_date, 'YYYY-MM-DD') AS item_date, team_key, team_label, category, score::text, score_scale,
             score_min::text, score_max::text, text, external_id, imported_at, updated_at
      FROM feedback_items WHERE ${sql.join(where, sql` AND `)} ORDER BY item_date DESC, id DESC LIMIT ${f.limit ?? 500}`.execute(this.db);
    return rows.map(fromRow);
  }

  async delete(id: string): Promise<boolean> {
    if (!/^\d{1,18}$/.test(id)) return false;
    const r = await sql`DELETE FROM feedback_items WHERE id = ${id}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }
}
