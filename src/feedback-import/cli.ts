import type { Db } from '../db/client.js';
import { FeedbackImporter, rowErrorText } from './service.js';

/**
 * `feedback import <file.csv> [--partial]`: the admin API's CSV import from the command line. Prints
 * what was stored, or every row's errors (then nothing is stored, unless --partial).
 */
export async function importFeedbackFile(db: Db, text: string, opts: { partial: boolean }): Promise<{ ok: boolean; lines: string[] }> {
  const r = await new FeedbackImporter(db).importCsv(text, opts);
  const lines = r.errors.map(rowErrorText);
  if (!r.imported) return { ok: false, lines: [...lines, r.rejected ? `${r.rejected} of ${r.received} rows are invalid; nothing was imported (--partial imports the valid ones)` : 'nothing was imported'] };
  lines.push(`${r.received} rows: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} already there${r.rejected ? `, ${r.rejected} refused` : ''}`);
  return { ok: r.rejected === 0, lines };
}
