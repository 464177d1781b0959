import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { CAP_WINDOW_DAYS } from '../../rules/index.js';
import type { ReplayClosure, ReplayInput } from './replay.js';

/**
 * The stored facts a dry run replays: one connector's closures decided in the last `days`, the survey
 * decisions that stay fixed (other connectors', and this one's from before the window, as far back as
 * the cooldown or the cap can look), tickets surveyed before the window, and the suppression periods of
 * the people involved. Four queries, bounded by the window.
 */
export async function loadReplayInput(db: Db, connectorId: string, days: number, now: Date, lookbackDays: number): Promise<ReplayInput> {
  const from = new Date(now.getTime() - days * 86_400_000);
  const historyFrom = new Date(from.getTime() - (Math.max(lookbackDays, CAP_WINDOW_DAYS) + 1) * 86_400_000);
  const closures = (
    await sql<ReplayClosure & { decidedAt: Date; closedAt: Date }>`
      SELECT c.id::text AS "closureId", t.id::text AS "ticketId",
             coalesce(nullif(t.assignment_group_name, ''), nullif(t.assignment_group_id, ''), '(no team)') AS team,
             d.decided_at AS "decidedAt", c.closed_at AS "closedAt", c.close_code AS "closeCode", t.category,
             t.assignment_group_id AS "assignmentGroupId", t.assignment_group_name AS "assignmentGroupName",
             t.requester_external_id AS "requesterId", c.resolver_external_id AS "resolverId",
             p.id::text AS "personId", p.email, p.time_zone AS "timeZone"
      FROM survey_decisions d
      JOIN closures c ON c.id = d.closure_id
      JOIN tickets t ON t.id = c.ticket_id
      LEFT JOIN people p ON p.id = d.person_id
      WHERE d.connector_id = ${connectorId} AND d.decided_at >= ${from} AND d.decided_at <= ${now}
      ORDER BY d.decided_at, d.id`.execute(db)
  ).rows;
  const people = [...new Set(closures.map((c) => c.personId).filter((p): p is string => !!p))];
  const emails = [...new Set(closures.map((c) => c.email).filter((e): e is string => !!e))];
  const tickets = [...new Set(closures.map((c) => c.ticketId))];
  const [fixed, ticketRows, supp] = await Promise.all([
    people.length
      ? sql<{ person_id: string; decided_at: Date }>`
          SELECT person_id::text AS person_id, decided_at FROM survey_decisions
          WHERE person_id = ANY(${people}::bigint[]) AND outcome = 'survey' AND decided_at >= ${historyFrom} AND decided_at <= ${now}
            AND (connector_id <> ${connectorId} OR decided_at < ${from})`.execute(db)
      : { rows: [] },
    sql<{ ticket_id: string }>`
      SELECT DISTINCT c.ticket_id::text AS ticket_id FROM closures c JOIN survey_decisions d ON d.closure_id = c.id
      WHERE c.ticket_id = ANY(${tickets}::bigint[]) AND d.outcome = 'survey' AND d.decided_at < ${from}`.execute(db),
    emails.length ? db.selectFrom('suppressions').select(['email', 'reason', 'created_at', 'lifted_at']).where('email', 'in', emails).execute() : [],
  ]);
  const fixedSurveys = new Map<string, Date[]>();
  for (const r of fixed.rows) fixedSurveys.set(r.person_id, [...(fixedSurveys.get(r.person_id) ?? []), r.decided_at]);
  const suppressions: ReplayInput['suppressions'] = new Map();
  for (const s of supp) suppressions.set(s.email, [...(suppressions.get(s.email) ?? []), { reason: s.reason, from: s.created_at, to: s.lifted_at }]);
  return { connectorId, closures, fixedSurveys, ticketsSurveyedBefore: new Set(ticketRows.rows.map((r) => r.ticket_id)), suppressions };
}

/** Active answers of the window with their scale: how many were detractors under a detractorMax. */
export async function loadAnswers(db: Db, connectorId: string, days: number, now: Date) {
  return (
    await sql<{ scale: 'csat' | 'nps' | 'ces'; score: number }>`
      SELECT s.scale, r.score FROM responses r JOIN surveys s ON s.id = r.survey_id
      WHERE s.connector_id = ${connectorId} AND r.is_active AND r.submitted_at >= ${new Date(now.getTime() - days * 86_400_000)}`.execute(db)
  ).rows;
}
