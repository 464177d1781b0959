import { sql } from 'kysely';
import { factKeyLabel, factScope } from './facts/cells.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from './query.js';
import type { AnalyticsReader } from './reader.js';
import { computeThemes } from './themes.js';
import type { GroupBy, ThemesReport } from './types.js';

/** Themes read the most recent comments of the cohort, up to this many (enough for stable counts, bounded memory). */
const MAX_COMMENTS = 50_000;

/** What customers talk about, per team (or category/connector) against everyone. Never per agent. */
export async function themesReport(reader: AnalyticsReader, q: StatsQuery): Promise<ThemesReport> {
  if (q.filter.agent) refusePerAgent(q, 'themes are');
  const groupBy: GroupBy = q.groupBy === 'none' || q.groupBy === 'agent' ? 'team' : q.groupBy;
  const { key, label } = factKeyLabel(groupBy);
  const rows = await reader.rows(sql<{ groupKey: string; groupLabel: string; text: string }>`
    SELECT ${key} AS "groupKey", ${label} AS "groupLabel", r.comment AS text
    FROM (SELECT * FROM survey_facts f WHERE ${factScope(q.filter)} AND f.has_comment ORDER BY f.answered_at DESC LIMIT ${MAX_COMMENTS}) AS f
    JOIN responses r ON r.id = f.response_id
    JOIN connectors c ON c.id = f.connector_id`);
  return computeThemes(rows, { from: firstDay(q.filter), to: lastDay(q.filter) });
}

/** The latest answers with a comment; `detractor` by the answer's connector's own followUp.detractorMax. */
export async function recentComments(reader: AnalyticsReader, q: StatsQuery, limit = 20) {
  const rows = await reader.rows(sql<{ ticket: string | null; team: string | null; scale: string; score: number; detractor: boolean; comment: string; submittedAt: Date }>`
    SELECT t.external_key AS ticket, t.assignment_group_name AS team, f.scale, f.score, f.detractor, r.comment, f.answered_at AS "submittedAt"
    FROM (SELECT * FROM survey_facts f WHERE ${factScope(q.filter)} AND f.has_comment ORDER BY f.answered_at DESC, f.response_id DESC LIMIT ${limit}) AS f
    JOIN responses r ON r.id = f.response_id
    JOIN tickets t ON t.id = f.ticket_id
    ORDER BY f.answered_at DESC, f.response_id DESC`);
  return rows.map((r) => ({ ...r, score: Number(r.score), detractor: r.detractor === true, submittedAt: new Date(r.submittedAt).toISOString() }));
}
