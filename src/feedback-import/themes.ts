import { sql, type RawBuilder } from 'kysely';
import { HttpError } from '../http/app.js';
import { themesReport } from '../analytics/comments.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from '../analytics/query.js';
import type { AnalyticsReader } from '../analytics/reader.js';
import { commentTerms, computeThemes, type ThemeComment } from '../analytics/themes.js';
import type { GroupBy, ThemeGroup, ThemesReport, ThemeTerm } from '../analytics/types.js';
import { SOURCE_KINDS, type SourceKind } from './schema.js';

/**
 * Comment themes with imported feedback joined in (`imported=include`, the default), left out
 * (`exclude`: exactly the themes of survey comments), or alone (`only`). Imported items count like
 * comments (one item, one comment: "12 of 40 comments and items mention vpn"), grouped by their team
 * (or category, or connector), and every term says how many of its comments were imported items, and
 * from which kinds of source. Nothing here touches a score.
 */
export const IMPORTED_MODES = ['include', 'exclude', 'only'] as const;
export type ImportedMode = (typeof IMPORTED_MODES)[number];

export interface SourcedTerm extends ThemeTerm {
  /** Of `count`, how many are imported items (the rest are survey comments). */
  imported: number;
  /** Those imported items per kind of source (kinds with none left out). */
  importedSources: Partial<Record<SourceKind, number>>;
}

export interface ThemesWithSources extends ThemesReport {
  imported: ImportedMode;
  /** Imported items taken into the themes, per kind of source. */
  sources: Record<SourceKind, number>;
  overall: ThemesReport['overall'] & { imported: number; terms: (ThemesReport['overall']['terms'][number] & { imported: number; importedSources: Partial<Record<SourceKind, number>> })[] };
  groups: (Omit<ThemeGroup, 'terms'> & { imported: number; terms: SourcedTerm[] })[];
}

/** Survey comments read per request, newest first (as the themes API does). */
const MAX_COMMENTS = 50_000;
const MAX_ITEMS = 50_000;

export function importedMode(raw: unknown): ImportedMode {
  const v = (raw as { imported?: unknown } | undefined)?.imported;
  const value = Array.isArray(v) ? v[v.length - 1] : v;
  if (value === undefined || value === '') return 'include';
  if (typeof value === 'string' && (IMPORTED_MODES as readonly string[]).includes(value)) return value as ImportedMode;
  throw new HttpError(400, `imported: must be one of ${IMPORTED_MODES.join(', ')}`);
}

const themeGroupBy = (g: GroupBy): 'team' | 'category' | 'connector' => (g === 'category' || g === 'connector' ? g : 'team');

function surveyKey(groupBy: 'team' | 'category' | 'connector'): { key: RawBuilder<string>; label: RawBuilder<string> } {
  if (groupBy === 'connector') return { key: sql<string>`f.connector_id`, label: sql<string>`c.name` };
  if (groupBy === 'category') return { key: sql<string>`f.category`, label: sql<string>`CASE f.category WHEN '' THEN '(none)' ELSE f.category END` };
  return { key: sql<string>`f.team_key`, label: sql<string>`f.team_label` };
}

function itemKey(groupBy: 'team' | 'category' | 'connector'): { key: RawBuilder<string>; label: RawBuilder<string> } {
  if (groupBy === 'connector') return { key: sql<string>`coalesce(split_part(i.team_key, ':', 1), '')`, label: sql<string>`coalesce(c.name, '(no team)')` };
  if (groupBy === 'category') return { key: sql<string>`i.category`, label: sql<string>`CASE i.category WHEN '' THEN '(none)' ELSE i.category END` };
  return { key: sql<string>`coalesce(i.team_key, '')`, label: sql<string>`coalesce(i.team_label, '(no team)')` };
}

async function surveyComments(reader: AnalyticsReader, q: StatsQuery, groupBy: 'team' | 'category' | 'connector'): Promise<ThemeComment[]> {
  const f = q.filter;
  const where = [sql`f.sent_at >= ${f.from}`, sql`f.sent_at < ${f.to}`, sql`f.has_comment`];
  if (f.connectorId) where.push(sql`f.connector_id = ${f.connectorId}`);
  if (f.team !== undefined) where.push(sql`f.team_key = ${f.team}`);
  if (f.category !== undefined) where.push(sql`f.category = ${f.category}`);
  if (f.priority !== undefined) where.push(sql`f.priority = ${f.priority}`);
  const { key, label } = surveyKey(groupBy);
  return reader.rows(sql<ThemeComment>`
    SELECT ${key} AS "groupKey", ${label} AS "groupLabel", r.comment AS text
    FROM (SELECT * FROM survey_facts f WHERE ${sql.join(where, sql` AND `)} ORDER BY f.answered_at DESC LIMIT ${MAX_COMMENTS}) AS f
    JOIN responses r ON r.id = f.response_id
    JOIN connectors c ON c.id = f.connector_id`);
}

async function importedItems(reader: AnalyticsReader, q: StatsQuery, groupBy: 'team' | 'category' | 'connector'): Promise<(ThemeComment & { kind: SourceKind })[]> {
  const f = q.filter;
  // Imported items have no priority: a priority filter leaves them all out.
  if (f.priority !== undefined) return [];
  const where = [sql`i.item_date >= ${f.from}::date`, sql`i.item_date < ${f.to}::date`];
  if (f.connectorId) where.push(sql`i.team_key LIKE ${`${f.connectorId.replace(/[\\%_]/g, '\\$&')}:%`}`);
  if (f.team !== undefined) where.push(sql`i.team_key = ${f.team}`);
  if (f.category !== undefined) where.push(sql`i.category = ${f.category}`);
  const { key, label } = itemKey(groupBy);
  return reader.rows(sql<ThemeComment & { kind: SourceKind }>`
    SELECT ${key} AS "groupKey", ${label} AS "groupLabel", i.text, i.source_kind AS kind
    FROM feedback_items i LEFT JOIN connectors c ON c.id = split_part(i.team_key, ':', 1)
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY i.item_date DESC, i.id DESC LIMIT ${MAX_ITEMS}`);
}

const noSources = (): Record<SourceKind, number> => Object.fromEntries(SOURCE_KINDS.map((k) => [k, 0])) as Record<SourceKind, number>;

/** Pure: survey comments and imported items in, themes with their sources out. */
export function themesWithSources(comments: readonly ThemeComment[], items: readonly (ThemeComment & { kind: SourceKind })[], opts: { from: string; to: string; mode: ImportedMode }): ThemesWithSources {
  const all = [...comments, ...items];
  const report = computeThemes(all, { from: opts.from, to: opts.to });
  const sources = noSources();
  for (const i of items) sources[i.kind]++;
  // The imported items' terms, once each; counted per group for the terms the report shows.
  const itemTerms = items.map((i) => ({ group: i.groupKey, kind: i.kind, terms: commentTerms(i.text) }));
  const countIn = (term: string, group?: string) => {
    const bySource: Partial<Record<SourceKind, number>> = {};
    let imported = 0;
    for (const i of itemTerms) {
      if (!i.terms.has(term) || (group !== undefined && i.group !== group)) continue;
      imported++;
      bySource[i.kind] = (bySource[i.kind] ?? 0) + 1;
    }
    return { imported, importedSources: bySource };
  };
  const itemsPerGroup = new Map<string, number>();
  for (const i of items) itemsPerGroup.set(i.groupKey, (itemsPerGroup.get(i.groupKey) ?? 0) + 1);
  return {
    ...report,
    imported: opts.mode,
    sources,
    overall: { ...report.overall, imported: items.length, terms: report.overall.terms.map((t) => ({ ...t, ...countIn(t.term) })) },
    groups: report.groups.map((g) => ({ ...g, imported: itemsPerGroup.get(g.key) ?? 0, terms: g.terms.map((t) => ({ ...t, ...countIn(t.term, g.key) })) })),
  };
}

export async function themesWithImported(reader: AnalyticsReader, q: StatsQuery, mode: ImportedMode): Promise<ThemesWithSources> {
  if (q.filter.agent) refusePerAgent(q, 'themes are');
  if (mode === 'exclude') {
    // Exactly the survey themes (the themes API's own computation), with zero imported.
    const r = await themesReport(reader, q);
    const none = { imported: 0, importedSources: {} };
    return { ...r, imported: 'exclude', sources: noSources(), overall: { ...r.overall, imported: 0, terms: r.overall.terms.map((t) => ({ ...t, ...none })) }, groups: r.groups.map((g) => ({ ...g, imported: 0, terms: g.terms.map((t) => ({ ...t, ...none })) })) };
  }
  const groupBy = themeGroupBy(q.groupBy);
  const [comments, items] = await Promise.all([mode === 'only' ? Promise.resolve([]) : surveyComments(reader, q, groupBy), importedItems(reader, q, groupBy)]);
  return themesWithSources(comments, items, { from: firstDay(q.filter), to: lastDay(q.filter), mode });
}
