import { sql } from 'kysely';
import type { AnalyticsReader } from '../../analytics/reader.js';
import { statsReport } from '../../analytics/stats.js';
import { commentTerms } from '../../analytics/themes.js';
import type { Initiative } from '../store.js';
import { share, type Share } from './proportions.js';
import { measure, overallVerdict, type Measure, type OverallVerdict, type Verdict } from './verdict.js';
import { effectWindows, type EffectWindows } from './windows.js';

/**
 * An initiative's effect: the topic's share of comments and the CSAT of its scope (its team, or all
 * teams when systemic) in the N weeks before its start against the N weeks after its end (windows.ts,
 * verdict.ts). Comments are survey answers with a comment (imported feedback is not part of it: the
 * surveys are the one instrument measured the same way before and after). Read through the analytics
 * reader: comments from survey_facts, CSAT from the stats API's figures.
 */
export interface ShareView {
  n: number;
  k: number;
  /** 0..1, rounded to 4 places; null without a base. */
  share: number | null;
  low: number | null;
  high: number | null;
}

export interface MeasureView {
  before: ShareView;
  /** null until the after window has begun. */
  after: ShareView | null;
  /** after − before, with its 95% Newcombe interval, z and two-sided p (pooled two-proportion test). */
  difference: { value: number; low: number; high: number; z: number | null; p: number | null } | null;
  better: 'lower' | 'higher';
  verdict: Verdict;
}

export interface InitiativeEffect {
  initiativeId: string;
  weeks: number;
  minGroupSize: number;
  /** Why nothing could be measured (not started yet), else null. */
  pending: string | null;
  windows: Omit<EffectWindows, 'weeks'> | null;
  /** Comments about the themes or categories; null when the initiative names none. */
  topic: (MeasureView & { themes: string[]; categories: string[] }) | null;
  csat: MeasureView | null;
  verdict: OverallVerdict;
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function shareView(s: Share): ShareView {
  return { n: s.n, k: s.k, share: s.share === null ? null : r4(s.share), low: s.interval ? r4(s.interval.low) : null, high: s.interval ? r4(s.interval.high) : null };
}

export function measureView(m: Measure): MeasureView {
  const d = m.difference;
  return {
    before: shareView(m.before),
    after: m.after ? shareView(m.after) : null,
    difference: d ? { value: r4(d.value), low: r4(d.interval.low), high: r4(d.interval.high), z: d.z === null ? null : Math.round(d.z * 1000) / 1000, p: d.p === null ? null : r4(d.p) } : null,
    better: m.better,
    verdict: m.verdict,
  };
}

interface Range {
  from: Date;
  to: Date;
}

/** Comments in the two windows: how many, and how many are about the topic (a theme term or a category). */
export async function topicCounts(reader: AnalyticsReader, teamKey: string | null, ranges: { before: Range; after: Range | null }, topic: { themes: readonly string[]; categories: readonly string[] }) {
  const counts = { before: { n: 0, k: 0 }, after: { n: 0, k: 0 } };
  const windows = [sql`(f.sent_at >= ${ranges.before.from} AND f.sent_at < ${ranges.before.to})`];
  if (ranges.after) windows.push(sql`(f.sent_at >= ${ranges.after.from} AND f.sent_at < ${ranges.after.to})`);
  const themes = new Set(topic.themes);
  const categories = new Set(topic.categories);
  const rows = reader.cursor(
    sql<{ after: boolean; category: string; comment: string }>`
      SELECT f.sent_at >= ${ranges.before.to} AS after, f.category, r.comment
      FROM survey_facts f JOIN responses r ON r.id = f.response_id
      WHERE f.has_comment AND (${sql.join(windows, sql` OR `)}) ${teamKey === null ? sql`` : sql`AND f.team_key = ${teamKey}`}`,
    2000,
  );
  for await (const batch of rows) {
    for (const row of batch) {
      const c = row.after ? counts.after : counts.before;
      c.n++;
      if (categories.has(row.category) || (themes.size > 0 && [...commentTerms(row.comment)].some((t) => themes.has(t)))) c.k++;
    }
  }
  return counts;
}

async function csatCounts(reader: AnalyticsReader, teamKey: string | null, range: Range, minGroupSize: number) {
  const r = await statsReport(reader, { filter: { from: range.from, to: range.to, team: teamKey ?? undefined }, groupBy: 'none', interval: 'none', withinMinutes: 15 }, minGroupSize);
  return { n: r.total.csat?.n ?? 0, k: r.total.csat?.topTwo ?? 0 };
}

export async function loadEffect(reader: AnalyticsReader, i: Initiative, opts: { weeks?: number; minGroupSize: number; today: Date }): Promise<InitiativeEffect> {
  const weeks = opts.weeks ?? i.effectWeeks;
  const base = { initiativeId: i.id, weeks, minGroupSize: opts.minGroupSize };
  if (!i.startDate) return { ...base, pending: 'the initiative has not started: nothing to compare yet', windows: null, topic: null, csat: null, verdict: 'not_enough_data' };
  const w = effectWindows(i.startDate, i.endDate, weeks, opts.today);
  const { ranges, weeks: _w, ...windows } = w;
  const after = w.afterNotStarted ? null : ranges.after;
  const teamKey = i.team?.key ?? null;
  const hasTopic = i.themes.length > 0 || i.categories.length > 0;
  const [topic, csatBefore, csatAfter] = await Promise.all([
    hasTopic ? topicCounts(reader, teamKey, { before: ranges.before, after }, i) : null,
    csatCounts(reader, teamKey, ranges.before, opts.minGroupSize),
    after ? csatCounts(reader, teamKey, after, opts.minGroupSize) : null,
  ]);
  const topicMeasure = topic ? measure(share(topic.before.k, topic.before.n), after ? share(topic.after.k, topic.after.n) : null, 'lower', opts.minGroupSize) : null;
  const csatMeasure = measure(share(csatBefore.k, csatBefore.n), csatAfter ? share(csatAfter.k, csatAfter.n) : null, 'higher', opts.minGroupSize);
  const pending = !i.endDate ? 'the initiative is not done yet: the weeks after its end have not come' : w.afterNotStarted ? 'the weeks after the end have not begun yet' : null;
  return {
    ...base,
    pending,
    windows,
    topic: topicMeasure ? { ...measureView(topicMeasure), themes: i.themes, categories: i.categories } : null,
    csat: measureView(csatMeasure),
    verdict: overallVerdict([...(topicMeasure ? [topicMeasure.verdict] : []), csatMeasure.verdict]),
  };
}
