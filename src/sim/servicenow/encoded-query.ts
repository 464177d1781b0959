/**
 * ServiceNow encoded queries: `a=1^b!=2^ORc>3^NQd=4^ORDERBYDESCsys_updated_on`.
 * `^` = AND, `^OR` = OR with the previous term, `^NQ` = OR between whole queries, `^^` = a literal `^`.
 * Terms that cannot be parsed, or that name an unknown field, are silently ignored (real behaviour).
 */
import { formatSnDate } from './util.js';

export type Operator =
  | '=' | '!=' | '>' | '>=' | '<' | '<='
  | 'LIKE' | 'NOT LIKE' | 'STARTSWITH' | 'ENDSWITH' | 'IN' | 'NOT IN'
  | 'ISEMPTY' | 'ISNOTEMPTY' | 'ANYTHING' | 'BETWEEN';

export interface Condition {
  field: string;
  op: Operator;
  /** Resolved operand(s): one for most operators, many for IN/NOT IN, two for BETWEEN, none for ISEMPTY... */
  values: string[];
}

/** A term is either a condition or an ignored (unparseable) placeholder that still occupies its slot. */
export type Term = Condition | { ignored: string };

export interface OrderBy {
  field: string;
  desc: boolean;
}

export interface EncodedQuery {
  /** NQ-separated queries; each is an AND list of OR lists. */
  queries: Term[][][];
  orderBy: OrderBy[];
}

// Longest operators first so `>=` wins over `>` and `NOT IN` over `IN`.
const OPERATORS: Operator[] = [
  'ISNOTEMPTY', 'ISEMPTY', 'ANYTHING', 'NOT LIKE', 'NOT IN', 'STARTSWITH', 'ENDSWITH', 'BETWEEN', 'LIKE', 'IN',
  '!=', '>=', '<=', '=', '>', '<',
];
const NO_OPERAND = new Set<Operator>(['ISEMPTY', 'ISNOTEMPTY', 'ANYTHING']);
const FIELD_RE = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*/;

/** Splits on `^`, treating `^^` as an escaped literal caret. */
export function splitTerms(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < q.length; i++) {
    const ch = q[i];
    if (ch === '^') {
      if (q[i + 1] === '^') {
        cur += '^';
        i++;
      } else {
        out.push(cur);
        cur = '';
      }
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Evaluates the `javascript:` operands clients commonly send. Returns undefined for anything else
 * (the term is then ignored, as an instance would fail to evaluate it).
 */
export function resolveOperand(raw: string, now: Date = new Date()): string | undefined {
  const v = raw.trim();
  if (!v.startsWith('javascript:')) return raw;
  const js = v.slice('javascript:'.length).trim().replace(/;$/, '');
  const gen = /^gs\.dateGenerate\(\s*['"](\d{4}-\d{2}-\d{2})['"]\s*,\s*['"]([^'"]*)['"]\s*\)$/.exec(js);
  if (gen) {
    const time = gen[2] === 'start' ? '00:00:00' : gen[2] === 'end' ? '23:59:59' : gen[2] ?? '';
    return /^\d{2}:\d{2}(:\d{2})?$/.test(time) ? `${gen[1]} ${time.length === 5 ? `${time}:00` : time}` : undefined;
  }
  const rel = /^gs\.(minutesAgo|hoursAgo|daysAgo|daysAgoStart|daysAgoEnd)\(\s*(-?\d+)\s*\)$/.exec(js);
  if (rel) {
    const n = Number(rel[2]);
    const unit = rel[1] === 'minutesAgo' ? 60_000 : rel[1] === 'hoursAgo' ? 3_600_000 : 86_400_000;
    const d = new Date(now.getTime() - n * unit);
    if (rel[1] === 'daysAgoStart') return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} 00:00:00`;
    if (rel[1] === 'daysAgoEnd') return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} 23:59:59`;
    return formatSnDate(d);
  }
  const today = formatSnDate(now).slice(0, 10);
  if (/^gs\.beginningOfToday\(\s*\)$/.test(js)) return `${today} 00:00:00`;
  if (/^gs\.endOfToday\(\s*\)$/.test(js)) return `${today} 23:59:59`;
  if (/^gs\.nowDateTime\(\s*\)$/.test(js)) return formatSnDate(now);
  return undefined;
}

/** Parses one term such as `stateIN6,7`; returns undefined when it cannot be parsed. */
export function parseCondition(term: string, now?: Date): Condition | undefined {
  const m = FIELD_RE.exec(term);
  if (!m) return undefined;
  const field = m[0];
  const rest = term.slice(field.length);
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) return undefined;
  const operand = rest.slice(op.length);
  if (NO_OPERAND.has(op)) return operand === '' ? { field, op, values: [] } : undefined;
  let parts: string[];
  if (op === 'IN' || op === 'NOT IN') parts = operand.split(',');
  else if (op === 'BETWEEN') {
    parts = operand.split('@');
    if (parts.length !== 2) return undefined;
  } else parts = [operand];
  const values: string[] = [];
  for (const p of parts) {
    const r = resolveOperand(p, now);
    if (r === undefined) return undefined;
    values.push(r);
  }
  return { field, op, values };
}

export function parseEncodedQuery(q: string | undefined, now?: Date): EncodedQuery {
  const queries: Term[][][] = [[]];
  const orderBy: OrderBy[] = [];
  if (!q) return { queries: [], orderBy };
  for (const raw of splitTerms(q)) {
    const term = raw.trim();
    if (term === '' || term === 'EQ') continue;
    let rest = term;
    if (rest.startsWith('NQ')) {
      queries.push([]);
      rest = rest.slice(2);
      if (rest === '') continue;
    }
    if (rest.startsWith('ORDERBYDESC')) {
      orderBy.push({ field: rest.slice('ORDERBYDESC'.length), desc: true });
      continue;
    }
    if (rest.startsWith('ORDERBY')) {
      orderBy.push({ field: rest.slice('ORDERBY'.length), desc: false });
      continue;
    }
    const current = queries[queries.length - 1]!;
    const isOr = rest.startsWith('OR') && current.length > 0;
    const body = rest.startsWith('OR') ? rest.slice(2) : rest;
    const parsed: Term = parseCondition(body, now) ?? { ignored: term };
    if (isOr) current[current.length - 1]!.push(parsed);
    else current.push([parsed]);
  }
  return { queries: queries.filter((qq) => qq.length > 0), orderBy };
}

/**
 * Drops ignored terms and terms on unknown fields (and ORDERBYs on unknown fields).
 * After this, every term is a Condition.
 */
export function compileQuery(q: EncodedQuery, isKnownField: (field: string) => boolean): { queries: Condition[][][]; orderBy: OrderBy[] } {
  const queries = q.queries.map((andList) =>
    andList
      .map((orList) => orList.filter((t): t is Condition => !('ignored' in t) && isKnownField(t.field)))
      .filter((orList) => orList.length > 0),
  );
  return { queries, orderBy: q.orderBy.filter((o) => isKnownField(o.field)) };
}

const NUMERIC_RE = /^-?\d+(\.\d+)?$/;

/** Numeric strings compare numerically, everything else (dates included) case-insensitively lexicographically. */
export function compareValues(a: string, b: string): number {
  if (NUMERIC_RE.test(a) && NUMERIC_RE.test(b)) return Number(a) - Number(b);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matchCondition(c: Condition, value: string): boolean {
  const v0 = c.values[0] ?? '';
  const lv = value.toLowerCase();
  switch (c.op) {
    case '=':
      return compareValues(value, v0) === 0;
    case '!=':
      return compareValues(value, v0) !== 0;
    case '>':
      return value !== '' && compareValues(value, v0) > 0;
    case '>=':
      return value !== '' && compareValues(value, v0) >= 0;
    case '<':
      return value !== '' && compareValues(value, v0) < 0;
    case '<=':
      return value !== '' && compareValues(value, v0) <= 0;
    case 'LIKE':
      return lv.includes(v0.toLowerCase());
    case 'NOT LIKE':
      return !lv.includes(v0.toLowerCase());
    case 'STARTSWITH':
      return lv.startsWith(v0.toLowerCase());
    case 'ENDSWITH':
      return lv.endsWith(v0.toLowerCase());
    case 'IN':
      return c.values.some((v) => compareValues(value, v) === 0);
    case 'NOT IN':
      return !c.values.some((v) => compareValues(value, v) === 0);
    case 'ISEMPTY':
      return value === '';
    case 'ISNOTEMPTY':
      return value !== '';
    case 'ANYTHING':
      return true;
    case 'BETWEEN':
      return value !== '' && compareValues(value, v0) >= 0 && compareValues(value, c.values[1] ?? '') <= 0;
  }
}

/** True when the record matches; `get` returns the (dot-walked) raw value of a field. */
export function matchQuery(queries: Condition[][][], get: (field: string) => string): boolean {
  if (queries.length === 0) return true;
  return queries.some((andList) => andList.every((orList) => orList.some((c) => matchCondition(c, get(c.field)))));
}

/** Stable sort by several ORDERBY keys; with none, insertion order is kept. */
export function sortRows<T>(rows: T[], orderBy: OrderBy[], get: (row: T, field: string) => string): T[] {
  if (orderBy.length === 0) return rows;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      for (const o of orderBy) {
        const c = compareValues(get(a.row, o.field), get(b.row, o.field));
        if (c !== 0) return o.desc ? -c : c;
      }
      return a.i - b.i;
    })
    .map((x) => x.row);
}
