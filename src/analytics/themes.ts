/**
 * Comment themes: the most frequent words and two-word phrases per group (team) compared with all
 * groups. Pure: comments in, report out.
 *
 * Counts are per COMMENT (document frequency): a comment that says "vpn" three times counts once, so
 * every figure reads as "12 of 40 comments mention vpn". A term is 'systemic' when comments of at
 * least half of the groups (and at least 2 groups) use it, otherwise it is a 'team' theme.
 */
import { NEGATIONS, STOP_WORDS } from './stop-words.js';
import type { ThemeGroup, ThemeTerm, ThemesReport } from './types.js';

export interface ThemeComment {
  groupKey: string;
  groupLabel: string;
  text: string;
}

export interface ThemeOptions {
  from: string;
  to: string;
  /** Terms kept per list (default 10). */
  topN?: number;
  /** Minimum number of comments using a term (default 2). */
  minCount?: number;
}

/** A word: letters/digits (with combining marks), inner apostrophes and hyphens allowed ("don't", "e-mail"). */
const TOKEN = /[\p{L}\p{N}\p{M}]+(?:['-][\p{L}\p{N}\p{M}]+)*/gu;
const LETTER = /\p{L}/u;

const OTHER = 0; // stop word, too short or number: never a term, and it separates phrases
const NEGATION = 1; // not a term on its own, but may start a phrase ("not fixed")
const WORD = 2;
const PHRASE = 3;

/**
 * Interns words and phrases as integer ids, so counting uses arrays indexed by id instead of hashing
 * freshly built phrase strings into a Map per group (that was over 10× slower on 50k comments).
 */
class Lexicon {
  /** By id: the word ('' for phrases, built on demand by `term`), its kind, and for phrases the ids of both words (−1 otherwise). */
  private readonly words: string[] = [];
  readonly kind: number[] = [];
  readonly first: number[] = [];
  readonly second: number[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly phrases = new PairTable();

  get size(): number {
    return this.kind.length;
  }

  /** Phrase strings are only built for the few terms reported: most phrases occur once or twice. */
  term(id: number): string {
    return this.kind[id] === PHRASE ? `${this.words[this.first[id]!]} ${this.words[this.second[id]!]}` : this.words[id]!;
  }

  /**
   * Appends the ids of the terms in `text` to `out`, repeats included: content words, plus a phrase
   * for two adjacent tokens that are both content words or a negation followed by a content word.
   * Adjacent means separated by spaces only, so punctuation, line breaks, removed links and dropped
   * tokens ("vpn 3 times") end a phrase.
   */
  scan(text: string, out: number[]): void {
    const t = prepare(typeof text === 'string' ? text : '');
    let prev = -1; // id of the previous token if it may start a phrase
    let prevEnd = -1;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(t); m; m = TOKEN.exec(t)) {
      const raw = m[0];
      const id = this.tokens.get(raw) ?? this.token(raw);
      const kind = this.kind[id]!;
      if (kind === WORD) {
        out.push(id);
        if (prev >= 0 && onlySpaces(t, prevEnd, m.index)) out.push(this.phrase(prev, id));
      }
      prev = kind === OTHER ? -1 : id;
      prevEnd = m.index + raw.length;
    }
  }

  private token(raw: string): number {
    // English possessive/contraction "'s" ("team's" → "team", "it's" → "it").
    const word = raw.endsWith("'s") ? raw.slice(0, -2) : raw;
    let id = this.tokens.get(word);
    if (id === undefined) this.tokens.set(word, (id = this.add(word, classify(word), -1, -1)));
    this.tokens.set(raw, id);
    return id;
  }

  private phrase(a: number, b: number): number {
    const id = this.phrases.get(a, b);
    return id >= 0 ? id : this.phrases.set(a, b, this.add('', PHRASE, a, b));
  }

  private add(word: string, kind: number, first: number, second: number): number {
    this.words.push(word);
    this.kind.push(kind);
    this.first.push(first);
    this.second.push(second);
    return this.kind.length - 1;
  }
}

/**
 * Phrase ids by (first word id, second word id): open addressing with linear probing in one typed
 * array. The phrase lookup runs for most word pairs, and a Map (string or number keys) made it the
 * hot spot of the whole computation.
 */
class PairTable {
  private slots = new Int32Array(3 * 1024).fill(-1); // [first, second, id] per slot; first = -1: empty
  private mask = 1023; // slot count − 1 (a power of two)
  private used = 0;

  get(a: number, b: number): number {
    const slots = this.slots;
    for (let i = hash(a, b) & this.mask; ; i = (i + 1) & this.mask) {
      const first = slots[i * 3]!;
      if (first === -1) return -1;
      if (first === a && slots[i * 3 + 1] === b) return slots[i * 3 + 2]!;
    }
  }

  /** Stores a pair that is not in the table yet; returns `id`. Keeps the table at most half full. */
  set(a: number, b: number, id: number): number {
    if (++this.used * 2 > this.mask + 1) {
      const old = this.slots;
      this.slots = new Int32Array(old.length * 2).fill(-1);
      this.mask = this.mask * 2 + 1;
      for (let i = 0; i < old.length; i += 3) if (old[i] !== -1) this.put(old[i]!, old[i + 1]!, old[i + 2]!);
    }
    this.put(a, b, id);
    return id;
  }

  private put(a: number, b: number, id: number): void {
    let i = hash(a, b) & this.mask;
    while (this.slots[i * 3] !== -1) i = (i + 1) & this.mask;
    this.slots[i * 3] = a;
    this.slots[i * 3 + 1] = b;
    this.slots[i * 3 + 2] = id;
  }
}

function hash(a: number, b: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The distinct terms (words and two-word phrases) of one comment, as counted by `computeThemes`. */
export function commentTerms(text: string): Set<string> {
  const lexicon = new Lexicon();
  const ids: number[] = [];
  lexicon.scan(text, ids);
  return new Set(ids.map((id) => lexicon.term(id)));
}

/** Lower-case, compose umlauts (NFC: "u\u0308" → "ü"), unify apostrophes, blank out links and e-mail addresses. */
function prepare(text: string): string {
  let t = text.normalize('NFC').toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  // Work on whitespace-separated chunks with indexOf: a regex like /\S+@\S+/ backtracks quadratically on
  // a 100 kB run without spaces. The '|' replacement is not a space, so it also ends a phrase.
  if (t.includes('@') || t.includes('://') || t.includes('www.')) t = t.replace(/\S+/g, (c) => (isLinkOrEmail(c) ? '|' : c));
  return t;
}

function isLinkOrEmail(chunk: string): boolean {
  if (chunk.includes('://') || chunk.includes('www.')) return true;
  const at = chunk.indexOf('@');
  return at > 0 && chunk.indexOf('.', at) > at + 1;
}

function classify(word: string): number {
  if (NEGATIONS.has(word)) return NEGATION; // checked first: "no" is short but still negates
  // Length in code points: an astral letter is two UTF-16 units. (Runs once per distinct token.)
  if (word.length < 3 || (word.length < 6 && [...word].length < 3) || !hasLetter(word) || STOP_WORDS.has(word)) return OTHER;
  return WORD;
}

/** Numbers-only tokens ("2024", "1-2") are dropped; an ASCII fast path avoids a regex per token. */
function hasLetter(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
    if (c > 127) return LETTER.test(word);
  }
  return false;
}

/** True when text[from, to) is non-empty horizontal whitespace (not a line break). */
function onlySpaces(text: string, from: number, to: number): boolean {
  if (from < 0 || to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 32 || c === 9 || c === 0xa0 || c === 0x202f || c === 0x3000 || (c >= 0x2000 && c <= 0x200a))) return false;
  }
  return true;
}

/**
 * Ids of the terms used by at least `minCount` comments, without words that add nothing: a word used
 * by exactly as many comments as a phrase containing it only ever appears in that phrase (the phrase's
 * comments are a subset of the word's, and equal counts make them the same comments), so the phrase
 * is shown and the word dropped: "not fixed" 5 and "fixed" 5 → only "not fixed".
 */
function frequentTerms(ids: Iterable<number>, counts: readonly number[], lexicon: Lexicon, minCount: number): number[] {
  const kept: number[] = [];
  const redundant = new Set<number>();
  for (const id of ids) {
    const n = counts[id]!;
    if (n < minCount) continue;
    kept.push(id);
    if (lexicon.kind[id] !== PHRASE) continue;
    // A negation is never counted on its own (count 0), so it is never dropped here.
    if (counts[lexicon.first[id]!] === n) redundant.add(lexicon.first[id]!);
    if (counts[lexicon.second[id]!] === n) redundant.add(lexicon.second[id]!);
  }
  return redundant.size ? kept.filter((id) => !redundant.has(id)) : kept;
}

/**
 * The ids that can make the top `topN` by count: count at least the `topN`-th largest (ties kept, the
 * full order decides among them). Saves building and sorting objects for thousands of rare terms.
 */
function topCandidates(ids: number[], counts: readonly number[], topN: number): number[] {
  if (ids.length <= topN) return ids;
  if (topN === 0) return [];
  const sorted = Int32Array.from(ids, (id) => counts[id]!).sort(); // ascending, numeric
  const threshold = sorted[sorted.length - topN]!;
  return ids.filter((id) => counts[id]! >= threshold);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
// Plain code-unit order, not localeCompare: identical output on every machine and ICU version.
const byTerm = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const intOr = (v: unknown, fallback: number, min: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : fallback;

interface GroupAcc {
  key: string;
  label: string;
  texts: string[];
  /** Candidate term ids and their counts, filled when the group is counted. */
  ids: number[];
  counts: Map<number, number>;
}

export function computeThemes(comments: readonly ThemeComment[], opts?: ThemeOptions): ThemesReport {
  const topN = intOr(opts?.topN, 10, 0);
  const minCount = intOr(opts?.minCount, 2, 1);

  // Bucket by group (label: the first one seen), biggest group first, so each group is counted in one go.
  const buckets = new Map<string, GroupAcc>();
  for (const c of comments) {
    let g = buckets.get(c.groupKey);
    if (!g) buckets.set(c.groupKey, (g = { key: c.groupKey, label: c.groupLabel, texts: [], ids: [], counts: new Map() }));
    g.texts.push(c.text);
  }
  const groups = [...buckets.values()].sort((a, b) => b.texts.length - a.texts.length || byTerm(a.key, b.key));

  // Counts by term id. `lastSeen` holds the last comment that used a term: a comment counts a term once.
  const lexicon = new Lexicon();
  const overall: number[] = [];
  const spread: number[] = []; // groups using the term at all (one comment is enough)
  const inGroup: number[] = []; // the current group's counts, reset after each group
  const lastSeen: number[] = [];
  const ids: number[] = [];
  let comment = 0;
  for (const g of groups) {
    const touched: number[] = [];
    for (const text of g.texts) {
      comment++;
      ids.length = 0;
      lexicon.scan(text, ids);
      while (overall.length < lexicon.size) overall.push(0), spread.push(0), inGroup.push(0), lastSeen.push(0);
      for (const id of ids) {
        if (lastSeen[id] === comment) continue;
        lastSeen[id] = comment;
        overall[id]!++;
        if (inGroup[id]!++ === 0) touched.push(id);
      }
    }
    g.ids = topCandidates(frequentTerms(touched, inGroup, lexicon, minCount), inGroup, topN);
    for (const id of g.ids) g.counts.set(id, inGroup[id]!);
    for (const id of touched) {
      spread[id]!++;
      inGroup[id] = 0;
    }
  }
  const total = comments.length;
  const isSystemic = (id: number) => spread[id]! >= 2 && spread[id]! * 2 >= groups.length;

  const groupList: ThemeGroup[] = groups.map((g) => {
    const size = g.texts.length;
    const terms: ThemeTerm[] = g.ids.map((id) => {
      const count = g.counts.get(id)!;
      const share = count / size;
      const overallShare = overall[id]! / total;
      return {
        term: lexicon.term(id),
        count,
        share: round3(share),
        overallShare: round3(overallShare),
        lift: round3(share / overallShare),
        kind: isSystemic(id) ? 'systemic' : 'team',
      };
    });
    // Sorted on the rounded lift, so the order is explained by the numbers shown.
    terms.sort((a, b) => b.count - a.count || b.lift - a.lift || byTerm(a.term, b.term));
    return { key: g.key, label: g.label, comments: size, terms: terms.slice(0, topN) };
  });

  const overallTerms = topCandidates(frequentTerms(overall.keys(), overall, lexicon, minCount), overall, topN)
    .map((id) => ({ term: lexicon.term(id), count: overall[id]!, share: round3(overall[id]! / total), groups: spread[id]! }))
    .sort((a, b) => b.count - a.count || b.groups - a.groups || byTerm(a.term, b.term))
    .slice(0, topN);

  return { from: opts?.from ?? '', to: opts?.to ?? '', overall: { comments: total, terms: overallTerms }, groups: groupList };
}
