import { describe, expect, it } from 'vitest';
import { compileQuery, compareValues, matchQuery, parseCondition, parseEncodedQuery, resolveOperand, sortRows, splitTerms } from './encoded-query.js';

type Row = Record<string, string>;
const FIELDS = new Set(['number', 'state', 'priority', 'short_description', 'closed_at', 'caller_id', 'caller_id.email', 'sys_updated_on', 'category']);

function run(rows: Row[], q: string): string[] {
  const c = compileQuery(parseEncodedQuery(q, new Date('2024-06-10T12:00:00Z')), (f) => FIELDS.has(f));
  const get = (r: Row, f: string) => r[f] ?? '';
  return sortRows(rows.filter((r) => matchQuery(c.queries, (f) => get(r, f))), c.orderBy, get).map((r) => r.number ?? '');
}

const rows: Row[] = [
  { number: 'INC1', state: '7', priority: '10', short_description: 'Printer jammed', closed_at: '2024-06-01 10:00:00', caller_id: 'a', 'caller_id.email': 'a@x.com', category: 'hardware' },
  { number: 'INC2', state: '6', priority: '9', short_description: 'VPN down', closed_at: '', caller_id: '', 'caller_id.email': '', category: 'network' },
  { number: 'INC3', state: '2', priority: '2', short_description: 'printer toner', closed_at: '2024-06-02 08:30:00', caller_id: 'b', 'caller_id.email': 'b@x.com', category: '' },
  { number: 'INC4', state: '7', priority: '1', short_description: 'Email ^ broken', closed_at: '2024-05-31 23:59:59', caller_id: 'a', 'caller_id.email': 'a@x.com', category: 'software' },
];

describe('parser', () => {
  it('splits on ^ and keeps ^^ as a literal caret', () => {
    expect(splitTerms('a=1^b=2^^3^ORc=4')).toEqual(['a=1', 'b=2^3', 'ORc=4']);
  });

  it('parses every operator, longest first', () => {
    expect(parseCondition('state>=6')).toEqual({ field: 'state', op: '>=', values: ['6'] });
    expect(parseCondition('state!=7')).toMatchObject({ op: '!=' });
    expect(parseCondition('stateIN6,7,8')).toEqual({ field: 'state', op: 'IN', values: ['6', '7', '8'] });
    expect(parseCondition('stateNOT IN6,7')).toMatchObject({ op: 'NOT IN', values: ['6', '7'] });
    expect(parseCondition('short_descriptionLIKEprinter')).toMatchObject({ op: 'LIKE', values: ['printer'] });
    expect(parseCondition('numberSTARTSWITHINC')).toMatchObject({ op: 'STARTSWITH', values: ['INC'] });
    expect(parseCondition('closed_atISEMPTY')).toEqual({ field: 'closed_at', op: 'ISEMPTY', values: [] });
    expect(parseCondition('caller_id.emailISNOTEMPTY')).toMatchObject({ field: 'caller_id.email', op: 'ISNOTEMPTY' });
    expect(parseCondition('short_description=a=b')).toMatchObject({ op: '=', values: ['a=b'] });
  });

  it('rejects what it cannot parse', () => {
    expect(parseCondition('state')).toBeUndefined();
    expect(parseCondition('=7')).toBeUndefined();
    expect(parseCondition('closed_atISEMPTYx')).toBeUndefined();
    expect(parseCondition("closed_at>javascript:gs.somethingElse()")).toBeUndefined();
  });

  it('evaluates gs.dateGenerate and relative date helpers', () => {
    expect(resolveOperand("javascript:gs.dateGenerate('2024-06-01','10:00:00')")).toBe('2024-06-01 10:00:00');
    expect(resolveOperand('javascript:gs.dateGenerate("2024-06-01","start")')).toBe('2024-06-01 00:00:00');
    expect(resolveOperand("javascript:gs.dateGenerate('2024-06-01','end')")).toBe('2024-06-01 23:59:59');
    const now = new Date('2024-06-10T12:00:00Z');
    expect(resolveOperand('javascript:gs.minutesAgo(15)', now)).toBe('2024-06-10 11:45:00');
    expect(resolveOperand('javascript:gs.daysAgoStart(1)', now)).toBe('2024-06-09 00:00:00');
    expect(resolveOperand('javascript:gs.beginningOfToday()', now)).toBe('2024-06-10 00:00:00');
    expect(resolveOperand('plain')).toBe('plain');
  });

  it('collects several ORDERBY / ORDERBYDESC clauses', () => {
    expect(parseEncodedQuery('ORDERBYstate^active=true^ORDERBYDESCsys_updated_on').orderBy).toEqual([
      { field: 'state', desc: false },
      { field: 'sys_updated_on', desc: true },
    ]);
  });
});

describe('matcher', () => {
  it('ANDs terms with ^ and binds ^OR to the previous term', () => {
    expect(run(rows, 'state=7^ORstate=6^short_descriptionLIKEprinter')).toEqual(['INC1']);
    expect(run(rows, 'short_descriptionLIKEprinter^state=7^ORstate=2')).toEqual(['INC1', 'INC3']);
  });

  it('supports NQ (OR between whole queries)', () => {
    expect(run(rows, 'state=2^NQcategory=network')).toEqual(['INC2', 'INC3']);
  });

  it('IN / NOT IN / != / STARTSWITH / ENDSWITH', () => {
    expect(run(rows, 'stateIN6,7')).toEqual(['INC1', 'INC2', 'INC4']);
    expect(run(rows, 'stateNOT IN6,7')).toEqual(['INC3']);
    expect(run(rows, 'state!=7')).toEqual(['INC2', 'INC3']);
    expect(run(rows, 'short_descriptionSTARTSWITHprinter')).toEqual(['INC1', 'INC3']);
    expect(run(rows, 'short_descriptionENDSWITHdown')).toEqual(['INC2']);
  });

  it('LIKE is case-insensitive and ^^ searches a literal caret', () => {
    expect(run(rows, 'short_descriptionLIKEPRINTER')).toEqual(['INC1', 'INC3']);
    expect(run(rows, 'short_descriptionLIKE^^')).toEqual(['INC4']);
  });

  it('compares numeric strings numerically', () => {
    expect(run(rows, 'priority>5')).toEqual(['INC1', 'INC2']);
    expect(run(rows, 'priority<=2')).toEqual(['INC3', 'INC4']);
    expect(compareValues('10', '9')).toBeGreaterThan(0);
  });

  it('compares dates lexicographically, plain or via gs.dateGenerate, and never matches an empty date', () => {
    expect(run(rows, 'closed_at>=2024-06-01 00:00:00')).toEqual(['INC1', 'INC3']);
    expect(run(rows, "closed_at>=javascript:gs.dateGenerate('2024-06-01','10:00:00')")).toEqual(['INC1', 'INC3']);
    expect(run(rows, "closed_at<javascript:gs.dateGenerate('2024-06-01','10:00:00')")).toEqual(['INC4']);
    expect(run(rows, "closed_atBETWEENjavascript:gs.dateGenerate('2024-06-01','start')@javascript:gs.dateGenerate('2024-06-01','end')")).toEqual(['INC1']);
  });

  it('ISEMPTY / ISNOTEMPTY and dot-walked fields', () => {
    expect(run(rows, 'closed_atISEMPTY')).toEqual(['INC2']);
    expect(run(rows, 'caller_id.email=a@x.com')).toEqual(['INC1', 'INC4']);
    expect(run(rows, 'caller_idISNOTEMPTY^category=hardware')).toEqual(['INC1']);
  });

  it('silently ignores unknown fields and unparseable terms (a typo returns everything)', () => {
    expect(run(rows, 'stat=7')).toEqual(['INC1', 'INC2', 'INC3', 'INC4']);
    expect(run(rows, 'state=7^bogus_field=1')).toEqual(['INC1', 'INC4']);
    expect(run(rows, 'bogus=1^ORstate=6')).toEqual(['INC2']);
    expect(run(rows, 'state=7^garbage^ORcategory=hardware')).toEqual(['INC1']); // the ^OR stays bound to the ignored term's slot
    expect(run(rows, 'ORDERBYDESCnope')).toEqual(['INC1', 'INC2', 'INC3', 'INC4']);
  });

  it('orders by several keys, ORDERBYDESC, stable, insertion order by default', () => {
    expect(run(rows, '')).toEqual(['INC1', 'INC2', 'INC3', 'INC4']);
    expect(run(rows, 'ORDERBYDESCclosed_at')).toEqual(['INC3', 'INC1', 'INC4', 'INC2']);
    expect(run(rows, 'ORDERBYstate^ORDERBYDESCpriority')).toEqual(['INC3', 'INC2', 'INC1', 'INC4']);
    expect(run(rows, 'ORDERBYcaller_id')).toEqual(['INC2', 'INC1', 'INC4', 'INC3']);
  });
});
