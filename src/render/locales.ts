import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCALES, scaleValues, type Scale } from '../rules/scales.js';
import { templatesDir } from './paths.js';

/**
 * Localised strings live in templates/locales/<lang>.json (operators may edit them). Every file is
 * validated against one schema when first used, so a missing or misspelt key fails loudly at load
 * instead of producing a half-translated email.
 *
 * Strings may hold placeholders like {org}; `interpolate` replaces them in a single pass, so a
 * value that itself contains "{org}" or "{{x}}" is never re-evaluated. Strings carry no markup:
 * templates print them through {{ }}, which escapes the whole result (placeholders included).
 */

const text = z.string().min(1);
const labels = z.record(z.string().regex(/^\d+$/, 'label keys must be scale values'), text);
const scaleText = z.strictObject({ question: text, labels });

const messagesSchema = z.strictObject({
  language: text,
  ticket: z.strictObject({ withKeyAndTitle: text, keyOnly: text, titleOnly: text }),
  scales: z.strictObject({ csat: scaleText, nps: scaleText, ces: scaleText }),
  email: z.strictObject({
    subject: z.strictObject({ survey: text, surveyNoKey: text, reminder: text, reminderNoKey: text }),
    greeting: text,
    greetingNoName: text,
    intro: z.strictObject({ survey: text, surveyNoTicket: text, reminder: text, reminderNoTicket: text }),
    instruction: text,
    fallbackLink: text,
    signature: text,
    footer: z.strictObject({ why: text, whyNoKey: text, expiry: text, unsubscribe: text }),
  }),
  digest: z.strictObject({
    subject: text,
    heading: text,
    period: text,
    intro: text,
    scoreTitle: text,
    scoreLine: text,
    margin: text,
    change: text,
    noPrevious: text,
    noAnswers: text,
    target: text,
    targetStatus: z.strictObject({ met: text, at_risk: text, missed: text }),
    targetMetric: z.strictObject({ csat: text, nps: text, responseRate: text, followUpOnTime: text }),
    trendTitle: text,
    trendWeek: text,
    trendAnswers: text,
    trendScore: text,
    trendHidden: text,
    responseTitle: text,
    responseLine: text,
    withheld: text,
    commentsTitle: text,
    commentsMore: text,
    noComments: text,
    unhappy: text,
    themesTitle: text,
    themeLine: text,
    noThemes: text,
    followUpsTitle: text,
    followUpsLine: text,
    followUpDue: text,
    followUpOverdue: text,
    noFollowUps: text,
    initiativesTitle: text,
    initiativeOwner: text,
    dashboard: text,
    footer: text,
  }),
  page: z.strictObject({
    footer: text,
    survey: z.strictObject({
      title: text,
      ticket: text,
      commentLabel: text,
      commentHint: text,
      submit: text,
      answeredBefore: text,
      expiry: text,
      honeypot: text,
      whatMattered: z.strictObject({
        legend: text,
        hint: text,
        options: z.strictObject({ responsiveness: text, reliability: text, assurance: text, empathy: text, other: text }),
      }),
      errors: z.strictObject({ choose_rating: text, comment_too_long: text, what_mattered_invalid: text }),
    }),
    thanks: z.strictObject({ title: text, text, yourAnswer: text, change: text, changeLink: text }),
    unsubscribe: z.strictObject({ title: text, question: text, explanation: text, confirm: text }),
    unsubscribed: z.strictObject({ title: text, text }),
    notFound: z.strictObject({ title: text, text }),
    errors: z.strictObject({
      too_many_requests: z.strictObject({ title: text, text }),
      bad_request: z.strictObject({ title: text, text }),
      /** Optional (older locale files lack it: bad_request is shown instead). {limit} = the limit in KB. */
      too_large: z.strictObject({ title: text, text }).optional(),
    }),
  }),
  /** The public "you said, we did" page (src/initiatives/public-page.ts) and its optional email footer line. */
  youSaidWeDid: z.strictObject({
    title: text,
    heading: text,
    intro: text,
    youSaid: text,
    weDid: text,
    result: text,
    team: text,
    allTeams: text,
    when: text,
    empty: text,
    topicQuote: text,
    topicJoin: text,
    topicFallback: text,
    topicShare: text,
    csatShare: text,
    verdicts: z.strictObject({ improved: text, worsened: text, no_distinguishable_change: text, not_enough_data: text, mixed: text }),
    soFar: text,
    method: text,
    privacy: text,
    emailLine: text,
  }),
});

export type Messages = z.infer<typeof messagesSchema>;

export const BASE_LOCALE = 'en';

let cache: ReadonlyMap<string, Messages> | null = null;

function localesDir(): string {
  return join(templatesDir(), 'locales');
}

function loadLocales(): ReadonlyMap<string, Messages> {
  if (cache) return cache;
  const dir = localesDir();
  const map = new Map<string, Messages>();
  for (const file of readdirSync(dir).sort()) {
    const m = /^([a-z]{2,3})\.json$/.exec(file);
    if (!m?.[1]) continue;
    const path = join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`locale file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = messagesSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`locale file ${path} is invalid: ${issues}`);
    }
    for (const scale of Object.keys(SCALES) as Scale[]) {
      const allowed = new Set(scaleValues(scale).map(String));
      for (const key of Object.keys(parsed.data.scales[scale].labels)) {
        if (!allowed.has(key)) throw new Error(`locale file ${path}: scales.${scale}.labels.${key} is not a ${scale} value`);
      }
    }
    map.set(m[1], Object.freeze(parsed.data));
  }
  if (!map.has(BASE_LOCALE)) throw new Error(`locale file ${join(dir, `${BASE_LOCALE}.json`)} is missing`);
  cache = map;
  return map;
}

/** Languages shipped under templates/locales, e.g. ['de', 'en']. */
export function availableLocales(): string[] {
  return [...loadLocales().keys()];
}

/** Primary language subtag of a tag such as de-DE, de_DE, DE or zh-Hant-TW; null when it is not one. */
function primaryTag(tag: string): string | null {
  const primary = tag.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : null;
}

/**
 * Best shipped language for an Accept-Language header (`de-DE,de;q=0.9,en;q=0.8`), or null when
 * none of the listed languages is shipped (the caller then uses its default). A single tag such as
 * `de-DE` or `de_DE` is accepted too.
 */
export function localeFromAcceptLanguage(header: string | undefined): string | null {
  if (!header) return null;
  const shipped = loadLocales();
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      let q = 1;
      for (const param of params) {
        const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
        if (m?.[1]) q = Number(m[1]);
      }
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.tag !== '' && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const primary = primaryTag(range.tag);
    if (primary && shipped.has(primary)) return primary;
  }
  return null;
}

/**
 * The shipped language to use: `de-DE`, `de_DE`, `DE`, `de` → `de`; anything not shipped → the
 * fallback (itself resolved the same way, e.g. a connector default of `de-DE`), else `en`.
 */
export function resolveLocale(requested: string | null | undefined, fallback: string): string {
  return (
    localeFromAcceptLanguage(requested ?? undefined) ?? localeFromAcceptLanguage(fallback) ?? BASE_LOCALE
  );
}

/** Messages of a shipped locale (resolve first); unknown locales get the base locale. */
export function messagesFor(locale: string): Messages {
  const all = loadLocales();
  const messages = all.get(locale) ?? all.get(BASE_LOCALE);
  if (!messages) throw new Error(`no messages for locale ${locale}`);
  return messages;
}

export type Params = Readonly<Record<string, string | number>>;

/** Replaces {name} placeholders in one pass; a placeholder without a value is a template bug and throws. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_match, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) throw new Error(`missing value for placeholder {${name}} in "${template}"`);
    return String(value);
  });
}

/** The string at a dotted key such as `page.survey.title`; throws for unknown keys or non-strings. */
export function message(messages: Messages, key: string): string {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) {
      throw new Error(`unknown message key "${key}"`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node !== 'string') throw new Error(`message key "${key}" is not a string`);
  return node;
}

export function translate(messages: Messages, key: string, params?: Params): string {
  return interpolate(message(messages, key), params);
}

/** A date (no time) in the locale's long format, in UTC: "29 March 2025" / "29. März 2025". */
// Building an Intl.DateTimeFormat costs far more than using one (3% of the service's CPU under load).
// Callers pass resolved (shipped) locales; the size bound is a guard should one ever pass raw input.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDate(locale: string, date: Date): string {
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
    if (dateFormats.size < 64) dateFormats.set(locale, f);
  }
  return f.format(date);
}

export interface RatingOption {
  value: number;
  /** The label for this value, or null for the plain numbers between the NPS ends. */
  label: string | null;
  /** What a person reads: "5 – Very satisfied", or "7". */
  text: string;
}

export function ratingOptions(messages: Messages, scale: Scale): RatingOption[] {
  const labels = messages.scales[scale].labels;
  return scaleValues(scale).map((value) => {
    const label = Object.hasOwn(labels, String(value)) ? (labels[String(value)] ?? null) : null;
    return { value, label, text: label ? `${value} – ${label}` : String(value) };
  });
}

/** The question of a scale; NPS mentions the organisation. */
export function scaleQuestion(messages: Messages, scale: Scale, organisationName: string): string {
  return interpolate(messages.scales[scale].question, { org: organisationName });
}
