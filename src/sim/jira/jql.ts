/**
 * A JQL subset: clauses on project, key/id, status, statusCategory, issuetype, priority, resolution,
 * assignee/reporter, labels, component, summary/description (~), created/updated/resolved/duedate;
 * operators = != < <= > >= ~ !~ IN, NOT IN, IS [NOT] EMPTY|NULL, CHANGED [FROM|TO|BY|AFTER|BEFORE|ON|DURING];
 * AND / OR / NOT and parentheses; ORDER BY. Functions: currentUser(), now(), startOfDay(), endOfDay().
 * Errors carry Jira's messages; dates are read in the searching user's time zone.
 */
import type { IssueRec, JiraStore, StatusCategoryKey, UserRec } from './store.js';
import { STATUS_CATEGORIES } from './store.js';
import { startOfDay, wallTimeToUtc } from './time.js';

export class JqlError extends Error {}

// ---- tokens -----------------------------------------------------------------------------------

type TokType = 'lparen' | 'rparen' | 'comma' | 'op' | 'string' | 'word';
interface Tok {
  type: TokType;
  value: string;
  pos: number;
}

const OPS = ['!=', '!~', '<=', '>=', '=', '<', '>', '~'];
const WORD_BREAK = /[\s(),"'=!<>~]/;

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (ch === '(') out.push({ type: 'lparen', value: ch, pos });
    else if (ch === ')') out.push({ type: 'rparen', value: ch, pos });
    else if (ch === ',') out.push({ type: 'comma', value: ch, pos });
    if ('(),'.includes(ch)) {
      i++;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op) {
      out.push({ type: 'op', value: op, pos });
      i += op.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== ch) {
        if (s[j] === '\\' && j + 1 < s.length) {
          const n = s[j + 1]!;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
        } else v += s[j++];
      }
      if (j >= s.length) throw syntax(`The quoted string '${v}' has not been completed.`, pos);
      out.push({ type: 'string', value: v, pos });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !WORD_BREAK.test(s[j]!)) j++;
    if (j === i) throw syntax(`The character '${ch}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}' instead.`, pos);
    out.push({ type: 'word', value: s.slice(i, j), pos });
    i = j;
  }
  return out;
}

function syntax(msg: string, pos: number): JqlError {
  return new JqlError(`Error in the JQL Query: ${msg} (line 1, character ${pos})`);
}

// ---- AST --------------------------------------------------------------------------------------

export type JqlValue =
  | { kind: 'literal'; value: string; quoted: boolean; pos: number }
  | { kind: 'func'; name: string; args: string[]; pos: number }
  | { kind: 'list'; items: JqlValue[]; pos: number }
  | { kind: 'empty'; pos: number };

export interface ChangedPredicates {
  from?: JqlValue;
  to?: JqlValue;
  by?: JqlValue;
  after?: JqlValue;
  before?: JqlValue;
  on?: JqlValue;
  during?: [JqlValue, JqlValue];
}

export type JqlExpr =
  | { type: 'and' | 'or'; items: JqlExpr[] }
  | { type: 'not'; expr: JqlExpr }
  | { type: 'clause'; field: string; op: string; value: JqlValue; pos: number }
  | { type: 'changed'; field: string; preds: ChangedPredicates; pos: number };

export interface JqlQuery {
  where: JqlExpr | null;
  orderBy: Array<{ field: string; dir: 'ASC' | 'DESC'; pos: number }>;
}

const RESERVED = new Set(['and', 'or', 'not', 'empty', 'null', 'order', 'by', 'in', 'is', 'was', 'changed', 'asc', 'desc']);
const VALID_OPERATORS = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  private next(): Tok | undefined {
    return this.toks[this.i++];
  }
  private isWord(t: Tok | undefined, w: string): boolean {
    return !!t && t.type === 'word' && t.value.toLowerCase() === w;
  }
  private endPos(): number {
    return this.src.length + 1;
  }
  private got(t: Tok | undefined): string {
    return t ? `'${t.value}'` : 'end of query';
  }

  parse(): JqlQuery {
    let where: JqlExpr | null = null;
    if (this.peek() && !this.isWord(this.peek(), 'order')) where = this.or();
    const orderBy: JqlQuery['orderBy'] = [];
    const t = this.peek();
    if (t) {
      if (!this.isWord(t, 'order')) throw syntax(`Expecting either 'OR' or 'AND' but got ${this.got(t)}.`, t.pos);
      this.next();
      const by = this.next();
      if (!this.isWord(by, 'by')) throw syntax(`Expecting 'BY' but got ${this.got(by)}.`, by?.pos ?? this.endPos());
      for (;;) {
        const f = this.next();
        if (!f || (f.type !== 'word' && f.type !== 'string')) throw syntax(`Expecting a field name but got ${this.got(f)}.`, f?.pos ?? this.endPos());
        let dir: 'ASC' | 'DESC' = 'ASC';
        if (this.isWord(this.peek(), 'asc') || this.isWord(this.peek(), 'desc')) dir = this.next()!.value.toUpperCase() as 'ASC' | 'DESC';
        orderBy.push({ field: f.value, dir, pos: f.pos });
        if (this.peek()?.type === 'comma') {
          this.next();
          continue;
        }
        const rest = this.peek();
        if (rest) throw syntax(`Expecting either ',' or end of query but got ${this.got(rest)}.`, rest.pos);
        break;
      }
    }
    return { where, orderBy };
  }

  private or(): JqlExpr {
    const items = [this.and()];
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  private and(): JqlExpr {
    const items = [this.not()];
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      items.push(this.not());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  private not(): JqlExpr {
    if (this.isWord(this.peek(), 'not')) {
      this.next();
      return { type: 'not', expr: this.not() };
    }
    return this.primary();
  }

  private primary(): JqlExpr {
    const t = this.peek();
    if (t?.type === 'lparen') {
      this.next();
      const e = this.or();
      const close = this.next();
      if (close?.type !== 'rparen') throw syntax(`Expecting ')' but got ${this.got(close)}.`, close?.pos ?? this.endPos());
      return e;
    }
    return this.clause();
  }

  private clause(): JqlExpr {
    const f = this.next();
    if (!f || (f.type !== 'word' && f.type !== 'string') || (f.type === 'word' && RESERVED.has(f.value.toLowerCase()))) {
      throw syntax(`Expecting a field name but got ${this.got(f)}.`, f?.pos ?? this.endPos());
    }
    const field = f.value;
    const o = this.next();
    let op: string;
    if (o?.type === 'op') op = o.value;
    else if (this.isWord(o, 'in')) op = 'in';
    else if (this.isWord(o, 'not') && this.isWord(this.peek(), 'in')) {
      this.next();
      op = 'not in';
    } else if (this.isWord(o, 'is')) {
      if (this.isWord(this.peek(), 'not')) {
        this.next();
        op = 'is not';
      } else op = 'is';
    } else if (this.isWord(o, 'changed')) {
      return { type: 'changed', field, preds: this.changedPredicates(), pos: f.pos };
    } else if (this.isWord(o, 'was')) {
      throw new JqlError("The operator 'WAS' is not supported by this simulator.");
    } else {
      throw syntax(`Expecting operator but got ${this.got(o)}. ${VALID_OPERATORS}`, o?.pos ?? this.endPos());
    }
    let value: JqlValue;
    if (op === 'is' || op === 'is not') {
      const v = this.next();
      if (!this.isWord(v, 'empty') && !this.isWord(v, 'null')) throw syntax(`Expecting 'EMPTY' or 'NULL' but got ${this.got(v)}.`, v?.pos ?? this.endPos());
      value = { kind: 'empty', pos: v!.pos };
    } else if (op === 'in' || op === 'not in') {
      value = this.list();
    } else {
      value = this.value();
    }
    return { type: 'clause', field, op, value, pos: f.pos };
  }

  private changedPredicates(): ChangedPredicates {
    const p: ChangedPredicates = {};
    for (;;) {
      const t = this.peek();
      const w = t?.type === 'word' ? t.value.toLowerCase() : '';
      if (w === 'from' || w === 'to' || w === 'by' || w === 'after' || w === 'before' || w === 'on') {
        this.next();
        p[w] = this.value();
      } else if (w === 'during') {
        this.next();
        const open = this.next();
        if (open?.type !== 'lparen') throw syntax(`Expecting '(' but got ${this.got(open)}.`, open?.pos ?? this.endPos());
        const a = this.value();
        const comma = this.next();
        if (comma?.type !== 'comma') throw syntax(`Expecting ',' but got ${this.got(comma)}.`, comma?.pos ?? this.endPos());
        const b = this.value();
        const close = this.next();
        if (close?.type !== 'rparen') throw syntax(`Expecting ')' but got ${this.got(close)}.`, close?.pos ?? this.endPos());
        p.during = [a, b];
      } else return p;
    }
  }

  private list(): JqlValue {
    const open = this.next();
    if (open?.type === 'word' && this.peek()?.type === 'lparen') {
      this.i--;
      return this.value(); // a list function, e.g. membersOf(...)
    }
    if (open?.type !== 'lparen') throw syntax(`Expecting '(' but got ${this.got(open)}.`, open?.pos ?? this.endPos());
    const items: JqlValue[] = [];
    for (;;) {
      items.push(this.value());
      const t = this.next();
      if (t?.type === 'comma') continue;
      if (t?.type === 'rparen') break;
      throw syntax(`Expecting ',' or ')' but got ${this.got(t)}.`, t?.pos ?? this.endPos());
    }
    return { kind: 'list', items, pos: open.pos };
  }

  private value(): JqlValue {
    const t = this.next();
    if (!t) throw syntax('Expecting either a value, list or function but got end of query.', this.endPos());
    if (t.type === 'string') return { kind: 'literal', value: t.value, quoted: true, pos: t.pos };
    if (t.type !== 'word') throw syntax(`Expecting either a value, list or function but got ${this.got(t)}.`, t.pos);
    const lower = t.value.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty', pos: t.pos };
    if (RESERVED.has(lower)) {
      throw syntax(`Expecting either a value, list or function but got '${t.value}'. You must surround '${t.value}' in quotation marks to use it as a value.`, t.pos);
    }
    if (this.peek()?.type === 'lparen') {
      this.next();
      const args: string[] = [];
      if (this.peek()?.type === 'rparen') this.next();
      else {
        for (;;) {
          const a = this.next();
          if (!a || (a.type !== 'word' && a.type !== 'string')) throw syntax(`Expecting a function argument but got ${this.got(a)}.`, a?.pos ?? this.endPos());
          args.push(a.value);
          const sep = this.next();
          if (sep?.type === 'comma') continue;
          if (sep?.type === 'rparen') break;
          throw syntax(`Expecting ',' or ')' but got ${this.got(sep)}.`, sep?.pos ?? this.endPos());
        }
      }
      return { kind: 'func', name: t.value, args, pos: t.pos };
    }
    return { kind: 'literal', value: t.value, quoted: false, pos: t.pos };
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql), jql).parse();
}

// ---- compile ----------------------------------------------------------------------------------

export interface JqlEnv {
  store: JiraStore;
  now: number;
  timeZone: string;
  currentUser: UserRec | null;
}

type FieldKind = 'project' | 'key' | 'status' | 'statusCategory' | 'issuetype' | 'priority' | 'resolution' | 'user' | 'labels' | 'component' | 'date' | 'dateOnly' | 'text';
interface FieldSpec {
  name: string;
  kind: FieldKind;
  get?: (i: IssueRec) => unknown;
}

const FIELD_SPECS: Record<string, FieldSpec> = {
  project: { name: 'project', kind: 'project' },
  key: { name: 'key', kind: 'key' },
  issuekey: { name: 'key', kind: 'key' },
  id: { name: 'key', kind: 'key' },
  status: { name: 'status', kind: 'status' },
  statuscategory: { name: 'statusCategory', kind: 'statusCategory' },
  issuetype: { name: 'issuetype', kind: 'issuetype' },
  type: { name: 'issuetype', kind: 'issuetype' },
  priority: { name: 'priority', kind: 'priority' },
  resolution: { name: 'resolution', kind: 'resolution' },
  assignee: { name: 'assignee', kind: 'user', get: (i) => i.assignee },
  reporter: { name: 'reporter', kind: 'user', get: (i) => i.reporter },
  creator: { name: 'creator', kind: 'user', get: (i) => i.creator },
  labels: { name: 'labels', kind: 'labels' },
  component: { name: 'component', kind: 'component' },
  summary: { name: 'summary', kind: 'text', get: (i) => i.summary },
  description: { name: 'description', kind: 'text', get: (i) => i.description },
  text: { name: 'text', kind: 'text' },
  created: { name: 'created', kind: 'date', get: (i) => i.created },
  createddate: { name: 'created', kind: 'date', get: (i) => i.created },
  updated: { name: 'updated', kind: 'date', get: (i) => i.updated },
  updateddate: { name: 'updated', kind: 'date', get: (i) => i.updated },
  resolved: { name: 'resolved', kind: 'date', get: (i) => i.resolutiondate },
  resolutiondate: { name: 'resolutiondate', kind: 'date', get: (i) => i.resolutiondate },
  statuscategorychangeddate: { name: 'statusCategoryChangedDate', kind: 'date', get: (i) => i.statusCategoryChanged },
  duedate: { name: 'duedate', kind: 'dateOnly', get: (i) => i.duedate },
  due: { name: 'duedate', kind: 'dateOnly', get: (i) => i.duedate },
};

const OPS_BY_KIND: Record<FieldKind, string[]> = {
  project: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  key: ['=', '!=', 'in', 'not in'],
  status: ['=', '!=', 'in', 'not in'],
  statusCategory: ['=', '!=', 'in', 'not in'],
  issuetype: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  priority: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  resolution: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  user: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  labels: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  component: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'is', 'is not'],
  dateOnly: ['=', '!=', '<', '<=', '>', '>=', 'is', 'is not'],
  text: ['~', '!~', 'is', 'is not'],
};

const CHANGED_FIELDS: Record<string, string> = { status: 'status', resolution: 'resolution', assignee: 'assignee', priority: 'priority', reporter: 'reporter' };

function fieldSpec(name: string): FieldSpec {
  const f = FIELD_SPECS[name.toLowerCase()];
  if (!f) throw new JqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
  return f;
}

const DATE_FORMATS = "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.";
const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/** A JQL date value: absolute (in tz) or a period relative to now. Returns [instant, precision ms]. */
function parseDate(v: string, field: string, env: JqlEnv): [number, number] {
  const abs = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(v.trim());
  if (abs) {
    const [y, mo, d] = [Number(abs[1]), Number(abs[2]), Number(abs[3])];
    const [h, mi] = abs[4] !== undefined ? [Number(abs[4]), Number(abs[5])] : [0, 0];
    const probe = new Date(Date.UTC(y, mo - 1, d));
    if (mo < 1 || mo > 12 || probe.getUTCDate() !== d || h > 23 || mi > 59) throw new JqlError(`Date value '${v}' for field '${field}' is invalid. ${DATE_FORMATS}`);
    return [wallTimeToUtc(y, mo, d, h, mi, env.timeZone), abs[4] !== undefined ? 60_000 : 86_400_000];
  }
  const rel = v.trim().replace(/\s+/g, ' ');
  const m = /^([-+])?((?:\d+[wdhm]\s?)+)$/.exec(rel);
  if (m) {
    const sign = m[1] === '-' ? -1 : 1;
    let ms = 0;
    for (const part of m[2]!.matchAll(/(\d+)([wdhm])/g)) ms += Number(part[1]) * UNIT_MS[part[2]!]!;
    return [env.now + sign * ms, 60_000];
  }
  throw new JqlError(`Date value '${v}' for field '${field}' is invalid. ${DATE_FORMATS}`);
}

function periodArg(arg: string | undefined): number {
  if (!arg) return 0;
  const m = /^([-+])?(\d+)([wdhm])$/.exec(arg.trim());
  if (!m) throw new JqlError(`The function argument '${arg}' is invalid.`);
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNIT_MS[m[3]!]!;
}

function dateFunc(v: Extract<JqlValue, { kind: 'func' }>, env: JqlEnv): [number, number] {
  const name = v.name.toLowerCase();
  if (name === 'now') return [env.now, 1];
  if (name === 'startofday') return [startOfDay(env.now, env.timeZone) + periodArg(v.args[0]), 1];
  if (name === 'endofday') return [startOfDay(env.now, env.timeZone) + 86_400_000 - 1 + periodArg(v.args[0]), 1];
  throw new JqlError(`Unable to find JQL function '${v.name}(${v.args.join(', ')})'.`);
}

/** Values of one clause resolved against the instance (unknown values are errors, as in Jira). */
function resolveValues(spec: FieldSpec, value: JqlValue, env: JqlEnv, fieldName: string): Array<string | null> {
  const items = value.kind === 'list' ? value.items : [value];
  const out: Array<string | null> = [];
  const store = env.store;
  const missing = (v: string) => new JqlError(`The value '${v}' does not exist for the field '${fieldName}'.`);
  for (const it of items) {
    if (it.kind === 'empty') {
      out.push(null);
      continue;
    }
    if (it.kind === 'list') throw new JqlError('Nested lists are not supported.');
    if (it.kind === 'func') {
      const fn = it.name.toLowerCase();
      if (spec.kind === 'user' && fn === 'currentuser') {
        out.push(env.currentUser?.accountId ?? '\u0000anonymous');
        continue;
      }
      throw new JqlError(`Unable to find JQL function '${it.name}(${it.args.join(', ')})'.`);
    }
    const v = it.value;
    switch (spec.kind) {
      case 'project': {
        const p = store.project(v);
        if (!p) throw missing(v);
        out.push(p.key);
        break;
      }
      case 'key': {
        const i = store.issue(v);
        if (!i) {
          if (/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(v) || /^\d+$/.test(v)) throw new JqlError(`An issue with key '${v}' does not exist for field '${fieldName}'.`);
          throw new JqlError(`The issue key '${v}' for field '${fieldName}' is invalid.`);
        }
        out.push(i.id);
        break;
      }
      case 'status': {
        const s = store.status(v);
        if (!s) throw missing(v);
        out.push(s.id);
        break;
      }
      case 'statusCategory': {
        const key = (Object.values(STATUS_CATEGORIES).find((c) => c.key === v.toLowerCase() || c.name.toLowerCase() === v.toLowerCase() || String(c.id) === v)?.key ?? null) as StatusCategoryKey | null;
        if (!key) throw missing(v);
        out.push(key);
        break;
      }
      case 'issuetype': {
        const t = store.issueType(v);
        if (!t) throw missing(v);
        out.push(t.id);
        break;
      }
      case 'priority': {
        const p = store.priority(v);
        if (!p) throw missing(v);
        out.push(p.id);
        break;
      }
      case 'resolution': {
        if (v.toLowerCase() === 'unresolved') {
          out.push(null);
          break;
        }
        const r = store.resolution(v);
        if (!r) throw missing(v);
        out.push(r.id);
        break;
      }
      case 'user': {
        const u = store.findUser(v);
        if (!u) throw missing(v);
        out.push(u.accountId);
        break;
      }
      case 'labels':
        out.push(v.toLowerCase());
        break;
      case 'component': {
        const ids = [...store.projects.values()].flatMap((p) => p.components.filter((c) => c.name.toLowerCase() === v.toLowerCase() || c.id === v).map((c) => c.id));
        if (ids.length === 0) throw missing(v);
        out.push(...ids);
        break;
      }
      default:
        out.push(v);
    }
  }
  return out;
}

type Pred = (i: IssueRec) => boolean;

function issueValues(spec: FieldSpec, i: IssueRec, env: JqlEnv): Array<string | null> {
  switch (spec.kind) {
    case 'project':
      return [i.projectKey];
    case 'key':
      return [i.id];
    case 'status':
      return [i.statusId];
    case 'statusCategory':
      return [env.store.statusById(i.statusId).category];
    case 'issuetype':
      return [i.issueTypeId];
    case 'priority':
      return [i.priorityId];
    case 'resolution':
      return [i.resolutionId];
    case 'user':
      return [(spec.get!(i) as string | null) ?? null];
    case 'labels':
      return i.labels.length ? i.labels.map((l) => l.toLowerCase()) : [null];
    case 'component':
      return i.components.length ? [...i.components] : [null];
    default:
      return [null];
  }
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  const parts: string[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    const o = n as { text?: unknown; content?: unknown };
    if (typeof o.text === 'string') parts.push(o.text);
    if (Array.isArray(o.content)) o.content.forEach(walk);
  };
  walk(v);
  return parts.join(' ');
}

function compileClause(e: Extract<JqlExpr, { type: 'clause' }>, env: JqlEnv): Pred {
  const spec = fieldSpec(e.field);
  const op = e.op;
  if (!OPS_BY_KIND[spec.kind].includes(op)) throw new JqlError(`The operator '${op.toUpperCase()}' is not supported by the '${e.field}' field.`);
  if ((op === '=' || op === '!=') && e.value.kind === 'list') throw new JqlError(`The operator '${op}' does not support the list value '(…)' for field '${e.field}'.`);

  if (spec.kind === 'date' || spec.kind === 'dateOnly') {
    const get = spec.get!;
    const instant = (i: IssueRec): number | null => {
      const v = get(i);
      if (v === null || v === undefined) return null;
      if (typeof v === 'number') return v;
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      return m ? wallTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, env.timeZone) : null;
    };
    if (e.value.kind === 'empty') {
      const wantEmpty = op === 'is' || op === '=';
      return (i) => (instant(i) === null) === wantEmpty;
    }
    if (e.value.kind === 'list') throw new JqlError(`The operator '${op}' does not support the list value for field '${e.field}'.`);
    const [t, precision] = e.value.kind === 'func' ? dateFunc(e.value, env) : parseDate(e.value.value, e.field, env);
    const cmp: Record<string, (x: number) => boolean> = {
      '=': (x) => x >= t && x < t + precision,
      '!=': (x) => x < t || x >= t + precision,
      '<': (x) => x < t,
      '<=': (x) => x <= t,
      '>': (x) => x > t,
      '>=': (x) => x >= t,
    };
    const f = cmp[op]!;
    return (i) => {
      const x = instant(i);
      return x !== null && f(x);
    };
  }

  if (spec.kind === 'text') {
    if (e.value.kind === 'empty') {
      const wantEmpty = op === 'is';
      return (i) => (textOf(spec.get ? spec.get(i) : `${i.summary} ${textOf(i.description)}`).trim() === '') === wantEmpty;
    }
    if (e.value.kind !== 'literal') throw new JqlError(`The operator '${op}' only supports a text value for field '${e.field}'.`);
    const words = e.value.value.toLowerCase().replace(/[*?]/g, '').split(/\s+/).filter(Boolean);
    const contains = (i: IssueRec) => {
      const hay = textOf(spec.get ? spec.get(i) : `${i.summary} ${textOf(i.description)}`).toLowerCase();
      return words.every((w) => hay.includes(w));
    };
    return op === '~' ? contains : (i) => !contains(i);
  }

  const wanted = resolveValues(spec, e.value, env, e.field);
  const wantedSet = new Set(wanted);
  const has = (i: IssueRec) => issueValues(spec, i, env).some((v) => wantedSet.has(v));
  switch (op) {
    case '=':
    case 'in':
    case 'is':
      return has;
    case '!=':
    case 'not in':
      // Jira: "!=" and NOT IN never match an empty field.
      return (i) => {
        const vals = issueValues(spec, i, env);
        if (vals.every((v) => v === null) && !wantedSet.has(null)) return false;
        return !vals.some((v) => wantedSet.has(v));
      };
    case 'is not':
      return (i) => !has(i);
    default:
      throw new JqlError(`The operator '${op.toUpperCase()}' is not supported by the '${e.field}' field.`);
  }
}

function compileChanged(e: Extract<JqlExpr, { type: 'changed' }>, env: JqlEnv): Pred {
  const fieldId = CHANGED_FIELDS[e.field.toLowerCase()];
  if (!fieldId) {
    fieldSpec(e.field);
    throw new JqlError(`The operator 'CHANGED' is not supported by the '${e.field}' field.`);
  }
  const spec = fieldSpec(e.field);
  const p = e.preds;
  const set = (v: JqlValue | undefined) => (v ? new Set(resolveValues(spec, v, env, e.field)) : undefined);
  const from = set(p.from);
  const to = set(p.to);
  const by = p.by ? new Set(resolveValues(FIELD_SPECS.assignee!, p.by, env, 'by')) : undefined;
  const at = (v: JqlValue | undefined): [number, number] | undefined => {
    if (!v) return undefined;
    if (v.kind === 'func') return dateFunc(v, env);
    if (v.kind !== 'literal') throw new JqlError(`Expecting a date for the CHANGED predicate of '${e.field}'.`);
    return parseDate(v.value, e.field, env);
  };
  const after = at(p.after);
  const before = at(p.before);
  const on = at(p.on);
  const during = p.during ? [at(p.during[0])!, at(p.during[1])!] : undefined;
  return (i) =>
    i.histories.some((h) => {
      if (after && !(h.created > after[0])) return false;
      if (before && !(h.created < before[0])) return false;
      if (on && !(h.created >= on[0] && h.created < on[0] + 86_400_000)) return false;
      if (during && !(h.created >= during[0]![0] && h.created <= during[1]![0] + during[1]![1] - 1)) return false;
      if (by && !by.has(h.author)) return false;
      return h.items.some((it) => it.fieldId === fieldId && (!from || from.has(it.from)) && (!to || to.has(it.to)));
    });
}

function compileExpr(e: JqlExpr, env: JqlEnv): Pred {
  switch (e.type) {
    case 'and': {
      const ps = e.items.map((x) => compileExpr(x, env));
      return (i) => ps.every((p) => p(i));
    }
    case 'or': {
      const ps = e.items.map((x) => compileExpr(x, env));
      return (i) => ps.some((p) => p(i));
    }
    case 'not': {
      const p = compileExpr(e.expr, env);
      return (i) => !p(i);
    }
    case 'clause':
      return compileClause(e, env);
    case 'changed':
      return compileChanged(e, env);
  }
}

const PRIORITY_RANK: Record<string, number> = { '1': 5, '2': 4, '3': 3, '4': 2, '5': 1 };

function sortKey(field: string, env: JqlEnv): (i: IssueRec) => number | string | null {
  switch (field.toLowerCase()) {
    case 'updated':
    case 'updateddate':
      return (i) => i.updated;
    case 'created':
    case 'createddate':
      return (i) => i.created;
    case 'resolved':
    case 'resolutiondate':
      return (i) => i.resolutiondate;
    case 'duedate':
    case 'due':
      return (i) => i.duedate;
    case 'key':
    case 'issuekey':
    case 'id':
    case 'rank':
      return (i) => `${i.projectKey}-${i.key.split('-')[1]!.padStart(10, '0')}`;
    case 'priority':
      return (i) => (i.priorityId ? (PRIORITY_RANK[i.priorityId] ?? 0) : null);
    case 'status':
      return (i) => env.store.statusById(i.statusId).name;
    case 'summary':
      return (i) => i.summary.toLowerCase();
    case 'project':
      return (i) => i.projectKey;
    case 'issuetype':
    case 'type':
      return (i) => env.store.issueType(i.issueTypeId)?.name ?? '';
    case 'assignee':
      return (i) => (i.assignee ? (env.store.users.get(i.assignee)?.displayName ?? i.assignee) : null);
    case 'reporter':
      return (i) => (i.reporter ? (env.store.users.get(i.reporter)?.displayName ?? i.reporter) : null);
    default:
      fieldSpec(field);
      throw new JqlError(`Field '${field}' does not support sorting.`);
  }
}

export interface CompiledJql {
  /** null = no search restriction (an unbounded query). */
  where: Pred | null;
  compare: (a: IssueRec, b: IssueRec) => number;
}

export function compileJql(jql: string, env: JqlEnv): CompiledJql {
  const q = parseJql(jql);
  const where = q.where ? compileExpr(q.where, env) : null;
  if (q.orderBy.length > 7) throw new JqlError('The ORDER BY clause can contain a maximum of 7 fields.');
  // Without ORDER BY, newest first (created DESC), then id.
  const order = q.orderBy.length ? q.orderBy.map((o) => ({ key: sortKey(o.field, env), dir: o.dir === 'DESC' ? -1 : 1 })) : [{ key: sortKey('created', env), dir: -1 }];
  const compare = (a: IssueRec, b: IssueRec) => {
    for (const o of order) {
      const x = o.key(a);
      const y = o.key(b);
      if (x === y) continue;
      if (x === null) return 1; // empty values last
      if (y === null) return -1;
      return (x < y ? -1 : 1) * o.dir;
    }
    return Number(a.id) - Number(b.id);
  };
  return { where, compare };
}
