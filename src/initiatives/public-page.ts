import { sql } from 'kysely';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AnalyticsReader } from '../analytics/reader.js';
import type { Db } from '../db/client.js';
import { SCOREBOARD_HEADERS } from '../http/routes/analytics-pages.js';
import { analyticsAssets } from '../render/analytics-assets.js';
import { renderAnalyticsMessage } from '../render/analytics-pages.js';
import { availableLocales, formatDate, interpolate, localeFromAcceptLanguage, messagesFor, resolveLocale, type Messages } from '../render/locales.js';
import { renderTemplate } from '../render/templates.js';
import type { ConnectorStore } from '../store/connectors.js';
import { TtlCache } from '../store/ttl-cache.js';
import { loadEffect, type InitiativeEffect, type MeasureView } from './effect/load.js';
import { InitiativeStore, type Initiative } from './store.js';

/**
 * The public "you said, we did" page of a connector (opt-in: analytics.publicYouSaidWeDid): its done
 * initiatives — those of its teams and the systemic ones, newest first — with the themes customers
 * raised, what was changed (the public summary, never the internal notes) and the measured effect in
 * plain words, in the visitor's language (?lang=, else Accept-Language, else the connector's survey
 * language). A measure is shown only when both sides have at least the minimum group size. No names:
 * not the owner, not the notes, no comment, and a theme that is (or contains) the name of an agent or
 * of a surveyed person is left out. Unknown and private connectors answer the same 404.
 */
export interface PublicPageDeps {
  db: Db;
  connectors: ConnectorStore;
  minGroupSize: number;
  now: () => Date;
  reader(signal?: AbortSignal): AnalyticsReader;
}

export interface YouSaidWeDidView {
  lang: string;
  organisationName: string;
  weeks: number[];
  items: { title: string; team: string; youSaid: string; summary: string; lines: string[]; verdict: string; verdictText: string; soFar: boolean; when: string }[];
}

const MAX_ITEMS = 20;

/**
 * Theme words that are a word of an agent's or a surveyed person's name (lower case). Only words made
 * of letters, digits, apostrophes and hyphens can be: nothing in them needs escaping in the pattern.
 */
export async function nameWords(db: Db, words: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(words)].filter((w) => /^[\p{L}\p{N}'-]+$/u.test(w));
  if (!candidates.length) return new Set();
  const { rows } = await sql<{ word: string }>`
    SELECT w.word FROM unnest(${candidates}::text[]) AS w(word)
    WHERE EXISTS (SELECT 1 FROM people x WHERE lower(x.display_name) ~ ('\\m' || w.word || '\\M'))
       OR EXISTS (SELECT 1 FROM tickets t WHERE lower(t.assignee_name) ~ ('\\m' || w.word || '\\M'))`.execute(db);
  return new Set(rows.map((r) => r.word));
}

function percentText(locale: string, share: number | null): string {
  return share === null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** A measure in words, or null when either side is below the minimum (nothing is shown then). */
function measureLine(m: MeasureView | null, template: string, locale: string, params: Record<string, string>, minN: number): string | null {
  if (!m?.after || m.before.n < minN || m.after.n < minN) return null;
  return interpolate(template, { ...params, before: percentText(locale, m.before.share), after: percentText(locale, m.after.share) });
}

export function describeEffect(e: InitiativeEffect, messages: Messages, locale: string, topicText: string): { lines: string[]; verdict: string; verdictText: string; soFar: boolean } {
  const y = messages.youSaidWeDid;
  const lines = [
    measureLine(e.topic, y.topicShare, locale, { topic: topicText }, e.minGroupSize),
    measureLine(e.csat, y.csatShare, locale, {}, e.minGroupSize),
  ].filter((x): x is string => x !== null);
  return { lines, verdict: e.verdict, verdictText: y.verdicts[e.verdict], soFar: !!e.windows?.afterPartial };
}

async function loadView(deps: PublicPageDeps, connectorId: string, locale: string): Promise<YouSaidWeDidView | null> {
  const def = await deps.connectors.get(connectorId);
  if (!def || !def.analytics.publicYouSaidWeDid) return null;
  const done = await new InitiativeStore(deps.db).list({ status: 'done', connectorId, limit: MAX_ITEMS });
  const messages = messagesFor(locale);
  const y = messages.youSaidWeDid;
  const names = await nameWords(deps.db, done.flatMap((i) => i.themes.flatMap((t) => t.split(' '))));
  const reader = deps.reader();
  const today = deps.now();
  const items = await Promise.all(
    done.map(async (i: Initiative) => {
      const themes = i.themes.filter((t) => !t.split(' ').some((w) => names.has(w)));
      const topics = [...themes.map((t) => interpolate(y.topicQuote, { term: t })), ...i.categories];
      const topicText = topics.length ? topics.join(y.topicJoin) : y.topicFallback;
      const effect = await loadEffect(reader, i, { minGroupSize: deps.minGroupSize, today });
      return {
        title: i.title,
        team: i.team ? i.team.label : y.allTeams,
        youSaid: topics.length ? topics.join(y.topicJoin) : '—',
        summary: i.publicSummary,
        ...describeEffect(effect, messages, locale, topicText),
        when: i.startDate && i.endDate ? interpolate(y.when, { start: formatDate(locale, new Date(`${i.startDate}T00:00:00Z`)), end: formatDate(locale, new Date(`${i.endDate}T00:00:00Z`)) }) : '',
        weeks: effect.weeks,
      };
    }),
  );
  return { lang: locale, organisationName: def.survey.branding.organisationName, weeks: [...new Set(items.map((i) => i.weeks))], items: items.map(({ weeks: _w, ...rest }) => rest) };
}

export function renderYouSaidWeDid(view: YouSaidWeDidView): string {
  const messages = messagesFor(view.lang);
  const y = messages.youSaidWeDid;
  return renderTemplate(
    'pages/you-said-we-did',
    {
      lang: view.lang,
      pageTitle: interpolate(y.title, { org: view.organisationName }),
      cssUrl: analyticsAssets().css.url,
      organisationName: view.organisationName,
      items: view.items,
      methodText: interpolate(y.method, { weeks: view.weeks.length === 1 ? String(view.weeks[0]) : view.weeks.length ? view.weeks.join('/') : '6' }),
    },
    { messages, locale: view.lang },
  );
}

/** ?lang= if it is a shipped language, else the browser's languages, else the connector's survey language. */
function pageLocale(req: FastifyRequest, fallback: string): string {
  const asked = (req.query as { lang?: unknown } | undefined)?.lang;
  if (typeof asked === 'string' && availableLocales().includes(asked)) return asked;
  return localeFromAcceptLanguage(req.headers['accept-language']) ?? resolveLocale(null, fallback);
}

export function registerYouSaidWeDidPage(app: FastifyInstance, deps: PublicPageDeps) {
  // Public: a minute-old page per connector and language, so that reloading in a loop costs nothing.
  const cache = new TtlCache<YouSaidWeDidView | null>(60_000, () => deps.now().getTime());
  const headers = { ...SCOREBOARD_HEADERS, vary: 'Accept-Language' };
  const notFound = { ...SCOREBOARD_HEADERS, 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' };
  app.get<{ Params: { connectorId: string } }>('/you-said-we-did/:connectorId', async (req, reply) => {
    const id = req.params.connectorId;
    const def = /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? await deps.connectors.get(id) : null;
    const locale = pageLocale(req, def?.survey.defaultLocale ?? 'en');
    const key = `${id}|${locale}`;
    const view = def ? await cache.get(key, () => loadView(deps, id, locale)) : null;
    if (!view) {
      cache.invalidate(key);
      // Unknown and private connectors look the same.
      return reply.status(404).headers(notFound).type('text/html; charset=utf-8').send(renderAnalyticsMessage({ title: 'Nothing here', text: 'There is no public page at this address.', noindex: true }));
    }
    return reply.status(200).headers(headers).type('text/html; charset=utf-8').send(renderYouSaidWeDid(view));
  });
}
