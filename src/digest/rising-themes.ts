import { commentTerms } from '../analytics/themes.js';

/**
 * New themes for the digest (pure): terms whose share of comments rose against the previous period.
 * A term counts once per comment (as in the dashboard's themes); it needs `minCount` comments this
 * period; a word that only ever appears inside a listed phrase (same count) is left out for the
 * phrase. Ordered by how much the share rose, then by count.
 */
export interface RisingTheme {
  term: string;
  count: number;
  share: number;
  previousCount: number;
  previousShare: number;
}

function documentCounts(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const term of commentTerms(t)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

export function risingThemes(current: readonly string[], previous: readonly string[], opts: { minCount?: number; topN?: number } = {}): RisingTheme[] {
  const minCount = opts.minCount ?? 2;
  const topN = opts.topN ?? 5;
  if (!current.length) return [];
  const now = documentCounts(current);
  const before = documentCounts(previous);
  const rising: RisingTheme[] = [];
  for (const [term, count] of now) {
    if (count < minCount) continue;
    const share = count / current.length;
    const previousCount = before.get(term) ?? 0;
    const previousShare = previous.length ? previousCount / previous.length : 0;
    if (share > previousShare) rising.push({ term, count, share, previousCount, previousShare });
  }
  const phrases = rising.filter((r) => r.term.includes(' '));
  const kept = rising.filter((r) => r.term.includes(' ') || !phrases.some((p) => p.count === r.count && p.term.split(' ').includes(r.term)));
  return kept.sort((a, b) => b.share - b.previousShare - (a.share - a.previousShare) || b.count - a.count || (a.term < b.term ? -1 : 1)).slice(0, topN);
}
