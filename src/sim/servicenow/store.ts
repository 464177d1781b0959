import { BUILTIN_TABLES, JOURNAL_FIELDS, READONLY_FIELDS, genericTableDef } from './schema.js';
import type { TableDef } from './schema.js';
import { applyInsertDefaults, applyStateRules } from './rules.js';
import { SYS_ID_RE, formatSnDate, newSysId, toSnString } from './util.js';

export type SnRecord = Record<string, string>;

export interface WriteContext {
  /** user_name written into sys_created_by / sys_updated_by. */
  user: string;
  /** Time of the write (default: now). */
  now?: Date;
}

interface TableState {
  def: TableDef;
  rows: SnRecord[];
  byId: Map<string, SnRecord>;
  fieldSet: Set<string>;
  nextNumber: number;
}

/** Where a (possibly dot-walked) field path lands. `record` is undefined when a reference on the way is empty. */
export interface ResolvedPath {
  table: string;
  record: SnRecord | undefined;
  field: string;
}

/** In-memory tables with ServiceNow write semantics (system fields, numbers, journals, references). */
export class SnStore {
  private readonly tables = new Map<string, TableState>();

  constructor() {
    for (const def of BUILTIN_TABLES) this.register({ ...def, fields: [...def.fields] });
  }

  private register(def: TableDef): TableState {
    const state: TableState = { def, rows: [], byId: new Map(), fieldSet: new Set(def.fields), nextNumber: 10001 };
    this.tables.set(def.name, state);
    return state;
  }

  hasTable(name: string): boolean {
    return this.tables.has(name);
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  def(name: string): TableDef | undefined {
    return this.tables.get(name)?.def;
  }

  /** Creates a table on demand (what POST to an unknown table does here). */
  ensureTable(name: string): TableDef {
    return (this.tables.get(name) ?? this.register(genericTableDef(name))).def;
  }

  /** Live rows in insertion order. */
  rows(name: string): SnRecord[] {
    return this.tables.get(name)?.rows ?? [];
  }

  get(table: string, sysId: string): SnRecord | undefined {
    return this.tables.get(table)?.byId.get(sysId);
  }

  /** Fields of the table (dictionary plus fields added by writes), in output order. */
  fields(table: string): string[] {
    return this.tables.get(table)?.def.fields ?? [];
  }

  isReference(table: string, field: string): string | undefined {
    const t = this.tables.get(table);
    if (!t || !t.fieldSet.has(field)) return undefined;
    return t.def.references[field];
  }

  /** Resolves `caller_id.email` style paths. Returns undefined when any segment is not a known field. */
  resolvePath(table: string, record: SnRecord | undefined, path: string): ResolvedPath | undefined {
    const parts = path.split('.');
    let curTable = table;
    let cur = record;
    for (let i = 0; i < parts.length; i++) {
      const field = parts[i] ?? '';
      const t = this.tables.get(curTable);
      if (!t || !t.fieldSet.has(field)) return undefined;
      if (i === parts.length - 1) return { table: curTable, record: cur, field };
      const target = t.def.references[field];
      if (!target) return undefined;
      const ref = cur?.[field] ?? '';
      cur = ref ? this.get(target, ref) : undefined;
      curTable = target;
    }
    return undefined;
  }

  isKnownField(table: string, path: string): boolean {
    return this.resolvePath(table, undefined, path) !== undefined;
  }

  /** Raw string value of a (dot-walked) field; undefined if the field is unknown; "" through an empty reference. */
  value(table: string, record: SnRecord, path: string): string | undefined {
    const r = this.resolvePath(table, record, path);
    if (!r) return undefined;
    return r.record?.[r.field] ?? '';
  }

  displayValueOf(table: string, record: SnRecord | undefined): string {
    if (!record) return '';
    const def = this.def(table);
    return record[def?.displayField ?? 'name'] ?? record.number ?? record.name ?? '';
  }

  /** Accepts a sys_id, or a display value (name / number / user_name) like ServiceNow does on write. */
  resolveReference(targetTable: string, input: string): string {
    if (input === '') return '';
    if (this.get(targetTable, input)) return input;
    const def = this.def(targetTable);
    if (!def) return input;
    const keys = [def.displayField, ...(targetTable === 'sys_user' ? ['user_name', 'email'] : [])];
    for (const key of keys) {
      const hit = this.rows(targetTable).find((r) => r[key] !== undefined && r[key] !== '' && r[key] === input);
      if (hit?.sys_id) return hit.sys_id;
    }
    return input;
  }

  userSysId(userName: string): string {
    return this.rows('sys_user').find((u) => u.user_name === userName)?.sys_id ?? '';
  }

  private acceptsField(t: TableState, field: string): boolean {
    return t.def.open || t.fieldSet.has(field) || field.startsWith('u_') || JOURNAL_FIELDS.has(field);
  }

  private addField(t: TableState, field: string): void {
    if (!t.fieldSet.has(field)) {
      t.fieldSet.add(field);
      t.def.fields.push(field);
    }
  }

  /** Copies client values into `next`; returns journal entries to write and whether anything changed. */
  private applyBody(t: TableState, next: SnRecord, body: Record<string, unknown>): { changed: boolean; journals: Array<[string, string]> } {
    let changed = false;
    const journals: Array<[string, string]> = [];
    for (const [field, raw] of Object.entries(body)) {
      if (field === 'sys_id' || READONLY_FIELDS.has(field)) continue;
      if (!/^[a-z_][a-z0-9_]*$/.test(field) || !this.acceptsField(t, field)) continue; // real instances ignore unknown fields
      this.addField(t, field);
      let value = toSnString(raw);
      if (JOURNAL_FIELDS.has(field)) {
        if (value.trim() !== '') journals.push([field, value]);
        next[field] = '';
        continue;
      }
      const target = t.def.references[field];
      if (target) value = this.resolveReference(target, value);
      if (next[field] !== value) {
        next[field] = value;
        changed = true;
      }
    }
    return { changed, journals };
  }

  private writeJournals(table: string, sysId: string, journals: Array<[string, string]>, user: string, at: string): void {
    const jt = this.tables.get('sys_journal_field');
    if (!jt) return;
    for (const [element, value] of journals) {
      const j: SnRecord = { sys_id: newSysId(), element_id: sysId, element, name: table, value, sys_created_on: at, sys_created_by: user };
      jt.rows.push(j);
      jt.byId.set(j.sys_id!, j);
    }
  }

  insert(table: string, body: Record<string, unknown>, ctx: WriteContext): SnRecord {
    this.ensureTable(table);
    const t = this.tables.get(table)!;
    const now = ctx.now ?? new Date();
    const at = formatSnDate(now);
    const rec: SnRecord = {};
    for (const f of t.def.fields) rec[f] = '';
    const wanted = toSnString(body.sys_id);
    rec.sys_id = SYS_ID_RE.test(wanted) && !t.byId.has(wanted) ? wanted : newSysId();
    const { journals } = this.applyBody(t, rec, body);
    if (t.def.numberPrefix && !rec.number) {
      rec.number = `${t.def.numberPrefix}${String(t.nextNumber++).padStart(7, '0')}`;
    }
    applyInsertDefaults(this, table, rec, ctx.user, at);
    applyStateRules(this, table, undefined, rec, ctx.user, at);
    rec.sys_created_on = at;
    rec.sys_created_by = ctx.user;
    if (t.def.updateFields) {
      rec.sys_updated_on = at;
      rec.sys_updated_by = ctx.user;
      rec.sys_mod_count = '0';
    }
    for (const f of Object.keys(rec)) this.addField(t, f);
    t.rows.push(rec);
    t.byId.set(rec.sys_id, rec);
    this.writeJournals(table, rec.sys_id, journals, ctx.user, at);
    return rec;
  }

  /** PATCH/PUT semantics (both are partial updates on the Table API). Returns [before, after] or undefined. */
  update(table: string, sysId: string, body: Record<string, unknown>, ctx: WriteContext): { before: SnRecord; after: SnRecord } | undefined {
    const t = this.tables.get(table);
    const rec = t?.byId.get(sysId);
    if (!t || !rec) return undefined;
    const before = { ...rec };
    const at = formatSnDate(ctx.now ?? new Date());
    const next: SnRecord = { ...rec };
    const { changed, journals } = this.applyBody(t, next, body);
    applyStateRules(this, table, before, next, ctx.user, at);
    const anyChange = changed || journals.length > 0 || Object.keys(next).some((k) => next[k] !== before[k]);
    if (anyChange && t.def.updateFields) {
      next.sys_updated_on = at;
      next.sys_updated_by = ctx.user;
      next.sys_mod_count = String(Number(before.sys_mod_count ?? '0') + 1);
    }
    Object.assign(rec, next);
    this.writeJournals(table, sysId, journals, ctx.user, at);
    return { before, after: rec };
  }

  /** Direct field assignment for simulator-driven changes (close/reopen), bypassing write filtering. */
  setFields(table: string, sysId: string, values: Record<string, string>, ctx: WriteContext): SnRecord | undefined {
    const t = this.tables.get(table);
    const rec = t?.byId.get(sysId);
    if (!t || !rec) return undefined;
    for (const f of Object.keys(values)) this.addField(t, f);
    Object.assign(rec, values);
    if (t.def.updateFields) {
      rec.sys_updated_on = formatSnDate(ctx.now ?? new Date());
      rec.sys_updated_by = ctx.user;
      rec.sys_mod_count = String(Number(rec.sys_mod_count ?? '0') + 1);
    }
    return rec;
  }

  delete(table: string, sysId: string): boolean {
    const t = this.tables.get(table);
    if (!t || !t.byId.has(sysId)) return false;
    t.byId.delete(sysId);
    t.rows = t.rows.filter((r) => r.sys_id !== sysId);
    return true;
  }
}
