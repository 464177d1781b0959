import { sql } from 'kysely';
import { factKeyLabel, factScope } from '../facts/cells.js';
import { firstDay, lastDay, refusePerAgent, type StatsQuery } from '../query.js';
import type { AnalyticsReader } from '../reader.js';
import { computeThemes } from '../themes.js';
import type { ThemesReport } from '../types.js';
import { parseOutcome } from '../../rules/outcome-codes.js';
import { recoveryFigures, type RecoveryFigures, type RecoveryRow } from './figures.js';

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

/**
 * Recovery effectiveness per group (see figures.ts for the definitions). One statement reads every
 * detractor with a follow-up task in the cohort and, for those whose task closed, the person's next
 * answered survey (survey_facts by person and send time, any connector).
 */
export async function recoveryReport(reader: AnalyticsReader, q: StatsQuery, now: Date): Promise<RecoveryReport> {
  refusePerAgent(q, 'recovery figures are');
  const groupBy = q.groupBy;
  const { key, label } = factKeyLabel(groupBy === 'none' ? 'team' : groupBy);
  const rows = await reader.rows(sql<{
    key: string; label: string; ticket: string | null; teamKey: string; team: string; answeredAt: Date; status: string; dueAt: Date; closedAt: Date | null; outcomeCode: string | null;
    outcome: string | null; task: string | null; nextScale: string | null; nextScore: number | null; nextDetractor: boolean | null; nextAnsweredAt: Date | null;
  }>`
    SELECT ${key} AS key, ${label} AS label, t.external_key AS ticket, f.team_key AS "teamKey", f.team_label AS team,
           f.follow_up_answer_at AS "answeredAt", f.follow_up_status AS status, f.follow_up_due_at AS "dueAt", f.follow_up_closed_at AS "closedAt",
           f.follow_up_outcome_code AS "outcomeCode", fu.outcome, fu.external_key AS task,
           nx.scale AS "nextScale", nx.score AS "nextScore", nx.detractor AS "nextDetractor", nx.answered_at AS "nextAnsweredAt"
    FROM survey_facts f
    JOIN connectors c ON c.id = f.connector_id
    JOIN tickets t ON t.id = f.ticket_id
    JOIN follow_ups fu ON fu.id = f.follow_up_id
    LEFT JOIN LATERAL (
      SELECT n.scale, n.score, n.detractor, n.answered_at
      FROM survey_facts n
      WHERE n.person_id = f.person_id AND n.survey_id <> f.survey_id AND n.sent_at > f.follow_up_closed_at AND n.response_id IS NOT NULL
      ORDER BY n.sent_at, n.survey_id
      LIMIT 1
    ) nx ON f.follow_up_status = 'closed'
    WHERE ${factScope(q.filter)} AND f.detractor AND f.follow_up_task
    ORDER BY f.follow_up_answer_at DESC, f.survey_id DESC`);

  const typed: (RecoveryRow & { src: (typeof rows)[number] })[] = rows.map((r) => ({
    key: r.key,
    label: r.label,
    answeredAt: new Date(r.answeredAt),
    status: r.status,
    dueAt: new Date(r.dueAt),
    closedAt: r.closedAt ? new Date(r.closedAt) : null,
    outcomeCode: r.outcomeCode,
    next: r.nextScore === null ? null : { detractor: r.nextDetractor === true },
    src: r,
  }));

  const byGroup = new Map<string, typeof typed>();
  for (const r of typed) byGroup.set(r.key, [...(byGroup.get(r.key) ?? []), r]);
  const groups =
    groupBy === 'none'
      ? []
      : [...byGroup.entries()].map(([k, rs]) => recoveryFigures(k, rs[0]!.label, rs, now)).sort((a, b) => b.detractors - a.detractors || a.label.localeCompare(b.label));

  const notes = typed
    .filter((r) => r.src.outcome)
    .map((r) => ({ groupKey: r.key, groupLabel: r.label, text: parseOutcome(r.src.outcome, r.outcomeCode ? [r.outcomeCode] : []).text }))
    .filter((n) => n.text !== '');

  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    from: firstDay(q.filter),
    to: lastDay(q.filter),
    groupBy,
    total: recoveryFigures('', 'All', typed, now),
    groups,
    recent: typed.slice(0, RECENT).map((r) => ({
      ticket: r.src.ticket,
      teamKey: r.src.teamKey,
      team: r.src.team,
      answeredAt: r.answeredAt.toISOString(),
      task: r.src.task,
      status: r.status,
      dueAt: r.dueAt.toISOString(),
      closedAt: iso(r.closedAt),
      closedOnTime: r.closedAt ? r.closedAt.getTime() <= r.dueAt.getTime() : null,
      outcomeCode: r.outcomeCode,
      next: r.src.nextScore === null ? null : { scale: r.src.nextScale!, score: Number(r.src.nextScore), detractor: r.src.nextDetractor === true, answeredAt: iso(r.src.nextAnsweredAt)! },
    })),
    closeNoteThemes: computeThemes(notes, { from: firstDay(q.filter), to: lastDay(q.filter) }),
  };
}
