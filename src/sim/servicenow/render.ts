/** Turns stored records into Table API output (references, display values, dot-walked fields). */
import { JOURNAL_FIELDS, JOURNAL_LABELS } from './schema.js';
import type { SnRecord, SnStore } from './store.js';

export type DisplayMode = 'false' | 'true' | 'all';

export interface RenderOptions {
  displayValue: DisplayMode;
  excludeReferenceLink: boolean;
  /** Requested fields (sysparm_fields); undefined = every field of the table. */
  fields: string[] | undefined;
  instanceUrl: string;
}

export function parseDisplayMode(v: string | undefined): DisplayMode {
  const s = (v ?? '').toLowerCase();
  return s === 'true' || s === 'all' ? s : 'false';
}

export function parseFieldList(v: string | undefined): string[] | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  return [...new Set(v.split(',').map((f) => f.trim()).filter((f) => f !== ''))];
}

/** Journal history as `sysparm_display_value=true` shows it (newest first). */
function journalDisplay(store: SnStore, table: string, sysId: string, element: string): string {
  const entries = store.rows('sys_journal_field').filter((j) => j.element_id === sysId && j.element === element && j.name === table);
  return entries
    .slice()
    .reverse()
    .map((j) => {
      const by = j.sys_created_by ?? '';
      const who = store.rows('sys_user').find((u) => u.user_name === by)?.name || by;
      return `${j.sys_created_on ?? ''} - ${who} (${JOURNAL_LABELS[element] ?? element})\n${j.value ?? ''}\n\n`;
    })
    .join('');
}

function renderField(store: SnStore, table: string, record: SnRecord | undefined, field: string, o: RenderOptions): unknown {
  const raw = record?.[field] ?? '';
  const target = store.isReference(table, field);
  if (target) {
    const link = `${o.instanceUrl}/api/now/table/${target}/${raw}`;
    if (o.displayValue === 'false') {
      if (raw === '' || o.excludeReferenceLink) return raw;
      return { link, value: raw };
    }
    const display = store.displayValueOf(target, raw ? store.get(target, raw) : undefined);
    if (o.displayValue === 'true') {
      if (raw === '' || o.excludeReferenceLink) return raw === '' ? '' : display;
      return { display_value: display, link };
    }
    if (raw === '' || o.excludeReferenceLink) return { display_value: display, value: raw };
    return { display_value: display, link, value: raw };
  }
  if (o.displayValue === 'false') return raw;
  let display = raw;
  const choices = store.def(table)?.choices[field];
  if (choices && raw !== '') display = choices[raw] ?? raw;
  if (JOURNAL_FIELDS.has(field) && record?.sys_id) display = journalDisplay(store, table, record.sys_id, field);
  return o.displayValue === 'true' ? display : { display_value: display, value: raw };
}

/** Renders one record; unknown fields in sysparm_fields are omitted, as real instances do. */
export function renderRecord(store: SnStore, table: string, record: SnRecord, o: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = o.fields ?? store.fields(table);
  for (const path of fields) {
    const r = store.resolvePath(table, record, path);
    if (!r) continue;
    out[path] = renderField(store, r.table, r.record, r.field, o);
  }
  return out;
}
