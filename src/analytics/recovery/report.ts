import { sql } from 'kysely';
import { factKeyLabel, factScope } from '../facts/cells.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from '../query.js';
import type { AnalyticsReader } from '../reader.js';
import { computeThemes } from '../themes.js';
import type { ThemesReport } from '../types.js';
import { parseOutcome } from '../../rules/outcome-codes.js';
import { RecoveryTally, type RecoveryFigures, type RecoveryRow } from './figures.js';

export interface RecoveryItem {
  ticket: string | null;
  teamKey: string;
  team: string;
  answeredAt: string;
  task: string | null;
  status: string;
  dueAt: string;
  closedAt: string | null;
  closedOnTime: boolean | null;
  outcomeCode: string | null;
  next: { scale: string; score: number; detractor: boolean; answeredAt: string } | null;
}

export interface RecoveryReport {
  from: string;
  to: string;
  groupBy: StatsQuery['groupBy'];
  total: RecoveryFigures;
  groups: RecoveryFigures[];
  /** The latest detractors with a follow-up (admin only): task, outcome, next answer. */
  recent: RecoveryItem[];
  /** What the close notes of the follow-ups talk about, per group (the code itself left out). */
  closeNoteThemes: ThemesReport;
}

const RECENT = 50;
/** Close notes read for their themes, newest first (as survey comments are for theirs). */
const MAX_NOTES = 50_000;
/** Rows of the figures read at a time: years of detractors are counted, never held. */
const BATCH = 5_000;

/**
 * Recovery effectiveness per group (see figures.ts for the definitions). One cursor reads every
 * detractor with a follow-up task in the cohort and, for those whose task closed, the person's next
 * answered survey (survey_facts by person and send time, any connector), into running tallies; the
 * latest few with their details and the newest close notes are read apart, bounded.
 */
export async function recoveryReport(reader: AnalyticsReader, q: StatsQuery, now: Date): Promise<RecoveryReport> {
  refusePerAgent(q, 'recovery figures are');
  const groupBy = q.groupBy;
  const { key, label } = factKeyLabel(groupBy === 'none' ? 'team' : groupBy);
  const cohort = sql`FROM survey_facts f JOIN connectors c ON c.id = f.connector_id`;
  const scope = sql`${factScope(q.filter)} AND f.detractor AND f.follow_up_task`;
  const next = sql`LEFT JOIN LATERAL (
      SELECT n.scale, n.score, n.detractor, n.answered_at
      FROM survey_facts n
      WHERE n.person_id = f.person_id AND n.survey_id <> f.survey_id AND n.sent_at > f.follow_up_closed_at AND n.response_id IS NOT NULL
      ORDER BY n.sent_at, n.survey_id
      LIMIT 1
    ) nx ON f.follow_up_status = 'closed'`;
  const newestFirst = sql`ORDER BY f.follow_up_answer_at DESC, f.survey_id DESC`;

  const total = new RecoveryTally(now);
  // A group's label is that of its newest detractor (the first row read).
  const byGroup = new Map<string, { label: string; tally: RecoveryTally }>();
  const figureRows = reader.cursor(
    sql<{ key: string; label: string; answeredAt: Date; status: string; dueAt: Date; closedAt: Date | null; outcomeCode: string | null; nextScore: number | null; nextDetractor: boolean | null }>`
      SELECT ${key} AS key, ${label} AS label, f.follow_up_answer_at AS "answeredAt", f.follow_up_status AS status, f.follow_up_due_at AS "dueAt",
             f.follow_up_closed_at AS "closedAt", f.follow_up_outcome_code AS "outcomeCode", nx.score AS "nextScore", nx.detractor AS "nextDetractor"
      ${cohort} ${next}
      WHERE ${scope}
      ${newestFirst}`,
    BATCH,
  );
  for await (const batch of figureRows) {
    for (const r of batch) {
      const row: RecoveryRow = {
        key: r.key,
        label: r.label,
        answeredAt: new Date(r.answeredAt),
        status: r.status,
        dueAt: new Date(r.dueAt),
        closedAt: r.closedAt ? new Date(r.closedAt) : null,
        outcomeCode: r.outcomeCode,
        next: r.nextScore === null ? null : { detractor: r.nextDetractor === true },
      };
      total.add(row);
      if (groupBy === 'none') continue;
      let group = byGroup.get(r.key);
      if (!group) byGroup.set(r.key, (group = { label: r.label, tally: new RecoveryTally(now) }));
      group.tally.add(row);
    }
  }
  const groups = [...byGroup.entries()].map(([k, g]) => g.tally.figures(k, g.label)).sort((a, b) => b.detractors - a.detractors || a.label.localeCompare(b.label));

  const [recentRows, noteRows] = await Promise.all([
    reader.rows(sql<{
      ticket: string | null; teamKey: string; team: string; answeredAt: Date; status: string; dueAt: Date; closedAt: Date | null; outcomeCode: string | null;
      task: string | null; nextScale: string | null; nextScore: number | null; nextDetractor: boolean | null; nextAnsweredAt: Date | null;
    }>`
      SELECT t.external_key AS ticket, f.team_key AS "teamKey", f.team_label AS team,
             f.follow_up_answer_at AS "answeredAt", f.follow_up_status AS status, f.follow_up_due_at AS "dueAt", f.follow_up_closed_at AS "closedAt",
             f.follow_up_outcome_code AS "outcomeCode", fu.external_key AS task,
             nx.scale AS "nextScale", nx.score AS "nextScore", nx.detractor AS "nextDetractor", nx.answered_at AS "nextAnsweredAt"
      ${cohort}
      JOIN tickets t ON t.id = f.ticket_id
      JOIN follow_ups fu ON fu.id = f.follow_up_id
      ${next}
      WHERE ${scope}
      ${newestFirst}
      LIMIT ${RECENT}`),
    reader.rows(sql<{ key: string; label: string; outcome: string; outcomeCode: string | null }>`
      SELECT ${key} AS key, ${label} AS label, fu.outcome, f.follow_up_outcome_code AS "outcomeCode"
      ${cohort}
      JOIN follow_ups fu ON fu.id = f.follow_up_id
      WHERE ${scope} AND fu.outcome <> ''
      ${newestFirst}
      LIMIT ${MAX_NOTES}`),
  ]);

  const notes = noteRows
    .map((r) => ({ groupKey: r.key, groupLabel: r.label, text: parseOutcome(r.outcome, r.outcomeCode ? [r.outcomeCode] : []).text }))
    .filter((n) => n.text !== '');

  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy,
    total: total.figures('', 'All'),
    groups,
    recent: recentRows.map((r) => {
      const dueAt = new Date(r.dueAt);
      const closedAt = r.closedAt ? new Date(r.closedAt) : null;
      return {
        ticket: r.ticket,
        teamKey: r.teamKey,
        team: r.team,
        answeredAt: new Date(r.answeredAt).toISOString(),
        task: r.task,
        status: r.status,
        dueAt: dueAt.toISOString(),
        closedAt: iso(closedAt),
        closedOnTime: closedAt ? closedAt.getTime() <= dueAt.getTime() : null,
        outcomeCode: r.outcomeCode,
        next: r.nextScore === null ? null : { scale: r.nextScale!, score: Number(r.nextScore), detractor: r.nextDetractor === true, answeredAt: iso(r.nextAnsweredAt)! },
      };
    }),
    closeNoteThemes: computeThemes(notes, { from: firstDay(q.filter), to: lastDay(q.filter) }),
  };
}
