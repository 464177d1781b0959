import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, REQUIRED_COLUMNS } from './schema.js';

/**
 * A CSV file of feedback items into rows, each with the line it starts on (pure). The first row is
 * the header (UTF-8, an optional BOM, comma-separated, RFC 4180 quoting: a quoted field may hold
 * commas, quotes doubled, and line breaks). Unknown or missing columns make the whole file invalid.
 */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; message: string };

const ALIASES: Record<string, string> = { externalid: 'external_id', 'external id': 'external_id', id: 'external_id' };
const normaliseHeader = (h: string) => {
  const k = h.trim().toLowerCase();
  return ALIASES[k] ?? k;
};

export function parseFeedbackCsv(text: string, maxRows: number): CsvResult {
  // csv-parse counts CR LF inside quoted fields as two lines; one kind of line end keeps line numbers true.
  const input = text.replace(/\r\n?/g, '\n');
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(input, {
      bom: true,
      columns: (header: string[]) => header.map(normaliseHeader),
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: false,
    });
  } catch (e) {
    const err = e as { message?: string; code?: string; lines?: number };
    if (err.code === 'CSV_INVALID_COLUMN_MAPPING' || err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
      return { ok: false, message: `line ${err.lines ?? '?'}: the row has a different number of fields than the header` };
    }
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') return { ok: false, message: `line ${err.lines ?? '?'}: a quoted field is never closed (a " is missing)` };
    return { ok: false, message: `line ${err.lines ?? '?'}: ${String(err.message ?? 'the file is not valid CSV').replace(/^.*?: /, '')}` };
  }
  const header = input.slice(0, input.indexOf('\n') < 0 ? undefined : input.indexOf('\n')).replace(/^\uFEFF/, '');
  if (!header.trim()) return { ok: false, message: 'line 1: the file is empty; the first line names the columns' };
  const columns = Object.keys(records[0]?.record ?? Object.fromEntries(header.split(',').map((h) => [normaliseHeader(h), ''])));
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) return { ok: false, message: `line 1: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}` };
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) return { ok: false, message: `line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  if (records.length > maxRows) return { ok: false, message: `the file has ${records.length} rows; at most ${maxRows} per import` };
  return {
    ok: true,
    rows: records.map((r) => ({
      // info.lines is the record's last line: step back over the line breaks inside its quoted fields.
      line: r.info.lines - Object.values(r.record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
      values: r.record,
    })),
  };
}
