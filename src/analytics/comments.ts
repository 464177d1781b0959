import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { computeThemes } from './themes.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from './query.js';
import { COHORT_FROM, DETRACTOR_SQL, groupKeySql, groupLabelSql, scopeSql } from './stats-store.js';
import type { GroupBy, ThemesReport } from './types.js';

/** Themes read the most recent comments of the cohort, up to this many (enough for stable counts, bounded memory). */
const MAX_COMMENTS = 50_000;

/** What customers talk about, per team (or category/connector) against everyone. Never per agent. */
export async function themesReport(db: Db, q: StatsQuery): Promise<ThemesReport> {
  if (q.filter.agent) refusePerAgent(q, 'themes are');
  const groupBy: GroupBy = q.groupBy === 'none' || q.groupBy === 'agent' ? 'team' : q.groupBy;
  const { rows } = await sql<{ groupKey: string; groupLabel: string; text: string }>`
    SELECT ${groupKeySql(groupBy)} AS "groupKey", ${groupLabelSql(groupBy)} AS "groupLabel", r.comment AS text
    FROM ${COHORT_FROM}
    WHERE ${scopeSql(q.filter)} AND r.comment IS NOT NULL AND r.comment <> ''
    ORDER BY r.submitted_at DESC LIMIT ${MAX_COMMENTS}`.execute(db);
  return computeThemes(rows, { from: firstDay(q.filter), to: lastDay(q.filter) });
}

/** The latest answers with a comment; `detractor` by the answer's connector's own followUp.detractorMax. */
export async function recentComments(db: Db, q: StatsQuery, limit = 20) {
  const { rows } = await sql<{ ticket: string | null; team: string | null; scale: string; score: number; detractor: boolean; comment: string; submittedAt: Date }>`
    SELECT t.external_key AS ticket, t.assignment_group_name AS team, s.scale, r.score, ${DETRACTOR_SQL} AS detractor, r.comment, r.submitted_at AS "submittedAt"
    FROM ${COHORT_FROM}
    WHERE ${scopeSql(q.filter)} AND r.comment IS NOT NULL AND r.comment <> ''
    ORDER BY r.submitted_at DESC, r.id DESC LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, score: Number(r.score), detractor: r.detractor === true, submittedAt: new Date(r.submittedAt).toISOString() }));
}
