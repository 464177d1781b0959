import type { Db } from '../db/client.js';
import { TeamDirectory } from '../analytics/team-directory.js';
import { parseFeedbackCsv } from './csv.js';
import { feedbackItemSchema } from './schema.js';
import { FeedbackItemStore, type ItemValues } from './store.js';

/**
 * Importing non-survey feedback: every row is validated (its line in the CSV, or its index in a JSON
 * batch, named in each error) and its team resolved; nothing is stored when any row is bad, unless
 * `partial` asks to store the good rows and report the others. Storing is idempotent (store.ts).
 */
export const MAX_IMPORT_ROWS = 10_000;
/** Largest CSV body the admin API takes (413 above): the app's body limit. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

export interface RowError {
  /** The CSV line the row starts on (1 = the header). */
  line?: number;
  /** The position in a JSON batch (0-based). */
  index?: number;
  field: string;
  message: string;
}

export interface ImportReport {
  /** Rows read. */
  received: number;
  /** Rows that were stored: new, changed (same external id), or already there unchanged. */
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows refused (with partial=true; otherwise nothing is stored when this is above 0). */
  rejected: number;
  /** false when errors stopped the whole import. */
  imported: boolean;
  errors: RowError[];
  /** Ids of the stored items, in row order. */
  ids: string[];
}

type Input = { ref: { line: number } | { index: number }; raw: unknown };

/** A CSV row's strings as the item schema takes them (empty cells are absent values). */
function fromCsv(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v.trim() === '') continue;
    out[k === 'external_id' ? 'externalId' : k] = v;
  }
  return out;
}

export class FeedbackImporter {
  readonly store: FeedbackItemStore;

  constructor(private readonly db: Db) {
    this.store = new FeedbackItemStore(db);
  }

  async validate(inputs: readonly Input[]): Promise<{ good: { ref: Input['ref']; values: ItemValues }[]; errors: RowError[] }> {
    const dir = new TeamDirectory(this.db);
    const good: { ref: Input['ref']; values: ItemValues }[] = [];
    const errors: RowError[] = [];
    for (const input of inputs) {
      const parsed = feedbackItemSchema.safeParse(input.raw);
      if (!parsed.success) {
        for (const i of parsed.error.issues) errors.push({ ...input.ref, field: i.path.map(String).join('.') || '(row)', message: i.message });
        continue;
      }
      const item = parsed.data;
      let team: ItemValues['team'] = null;
      if (item.team !== null) {
        const r = await dir.resolve(item.team);
        if (!r.ok) {
          errors.push({ ...input.ref, field: 'team', message: r.message });
          continue;
        }
        team = r.team;
      }
      good.push({ ref: input.ref, values: { kind: item.kind, source: item.source, date: item.date, team, category: item.category, score: item.score, scale: item.scale, text: item.text, externalId: item.externalId } });
    }
    return { good, errors };
  }

  async import(inputs: readonly Input[], opts: { partial: boolean }): Promise<ImportReport> {
    const { good, errors } = await this.validate(inputs);
    const rejected = new Set(errors.map((e) => JSON.stringify('line' in e ? e.line : e.index))).size;
    const base = { received: inputs.length, rejected, errors };
    if (errors.length && !opts.partial) return { ...base, inserted: 0, updated: 0, unchanged: 0, imported: false, ids: [] };
    const counts = await this.store.upsert(good.map((g) => g.values));
    return { ...base, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, imported: true, ids: counts.ids };
  }

  /** A CSV file: a file that is not CSV (or has wrong columns) is one error with its line. */
  async importCsv(text: string, opts: { partial: boolean }): Promise<ImportReport> {
    const parsed = parseFeedbackCsv(text, MAX_IMPORT_ROWS);
    if (!parsed.ok) {
      const line = Number(/^line (\d+)/.exec(parsed.message)?.[1] ?? 0) || undefined;
      return { received: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, imported: false, errors: [{ ...(line ? { line } : {}), field: '(file)', message: parsed.message.replace(/^line \d+: /, '') }], ids: [] };
    }
    if (!parsed.rows.length) return { received: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, imported: false, errors: [{ line: 2, field: '(file)', message: 'the file has a header but no rows' }], ids: [] };
    return this.import(parsed.rows.map((r) => ({ ref: { line: r.line }, raw: fromCsv(r.values) })), opts);
  }

  async importJson(body: unknown, opts: { partial: boolean }): Promise<ImportReport> {
    const list = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items) ? (body as { items: unknown[] }).items : null;
    if (!list) return { received: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, imported: false, errors: [{ field: 'items', message: 'the body must be {"items": [...]} or a list of items' }], ids: [] };
    if (!list.length) return { received: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, imported: false, errors: [{ field: 'items', message: 'no items' }], ids: [] };
    if (list.length > MAX_IMPORT_ROWS) return { received: list.length, inserted: 0, updated: 0, unchanged: 0, rejected: 0, imported: false, errors: [{ field: 'items', message: `at most ${MAX_IMPORT_ROWS} items per request` }], ids: [] };
    return this.import(list.map((raw, index) => ({ ref: { index }, raw })), opts);
  }
}

/** "line 3: date: must be a date like 2026-11-22" — for the CLI and error messages. */
export function rowErrorText(e: RowError): string {
  const where = e.line !== undefined ? `line ${e.line}` : e.index !== undefined ? `items[${e.index}]` : '';
  return [where, e.field === '(file)' || e.field === '(row)' ? '' : e.field, e.message].filter(Boolean).join(': ');
}
