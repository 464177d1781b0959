import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { Scale } from '../rules/scales.js';
import type { WhatMattered } from '../db/schema.js';

/**
 * Surveys that already went round the whole loop, written straight into Postgres: the demo's weeks of
 * history and the analytics tests' hand-made datasets. Every row is final (sent, answered or not,
 * written back, follow-up closed), so nothing here owes work to the pipeline: the reconciler leaves
 * it alone, and an open follow-up's SLA check waits for its due time.
 */
export interface PastSurvey {
  connectorId: string;
  ticket: { externalId: string; key: string; title: string; category: string | null; priority: string | null; groupId: string | null; groupName: string | null; assigneeId: string | null; assigneeName: string | null };
  requester: { email: string; name: string };
  scale: Scale;
  sentAt: Date;
  deliveredAt?: Date | null;
  answer?: { score: number; comment: string | null; submittedAt: Date; whatMattered?: WhatMattered | null } | null;
  followUp?: { createdAt: Date; dueAt: Date; closedAt: Date | null; outcome: string | null; outcomeCode?: string | null; overdueAt?: Date | null; escalatedAt?: Date | null } | null;
}

export async function insertPastSurveys(db: Db, surveys: readonly PastSurvey[]): Promise<number> {
  await db.transaction().execute(async (trx) => {
    for (const p of surveys) {
      const email = p.requester.email.toLowerCase();
      const person = await trx
        .insertInto('people')
        .values({ email, email_domain: email.split('@')[1] ?? '', display_name: p.requester.name })
        .onConflict((oc) => oc.column('email').doUpdateSet({ updated_at: sql`now()` }))
        .returning('id')
        .executeTakeFirstOrThrow();
      const closedAt = new Date(p.sentAt.getTime() - 60_000);
      const t = p.ticket;
      const ticket = await trx
        .insertInto('tickets')
        .values({
          connector_id: p.connectorId, external_id: t.externalId, external_key: t.key, title: t.title, category: t.category, priority: t.priority, state: 'Closed',
          assignment_group_id: t.groupId, assignment_group_name: t.groupName, assignee_id: t.assigneeId, assignee_name: t.assigneeName,
          requester_person_id: person.id, opened_at: new Date(closedAt.getTime() - 86_400_000), source_updated_at: closedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const closure = await trx.insertInto('closures').values({ ticket_id: ticket.id, closed_at: closedAt, source: 'poll', status: 'decided', received_at: closedAt }).returning('id').executeTakeFirstOrThrow();
      const decision = await trx
        .insertInto('survey_decisions')
        .values({ closure_id: closure.id, connector_id: p.connectorId, person_id: person.id, outcome: 'survey', reason: 'eligible', detail: 'history', decided_at: closedAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      const survey = await trx
        .insertInto('surveys')
        .values({
          decision_id: decision.id, closure_id: closure.id, ticket_id: ticket.id, connector_id: p.connectorId, person_id: person.id, scale: p.scale, status: 'sent',
          send_after: p.sentAt, attempts: 1, claimed_at: p.sentAt, sent_at: p.sentAt, delivered_at: p.deliveredAt ?? null, message_id: `history-${t.externalId}`,
          expires_at: new Date(p.sentAt.getTime() + 28 * 86_400_000), reminder_status: 'skipped', created_at: closedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (!p.answer) continue;
      const response = await trx
        .insertInto('responses')
        .values({ survey_id: survey.id, score: p.answer.score, comment: p.answer.comment, submitted_at: p.answer.submittedAt, seconds_since_sent: Math.round((p.answer.submittedAt.getTime() - p.sentAt.getTime()) / 1000), is_active: true, what_mattered: p.answer.whatMattered ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('writebacks')
        .values({ response_id: response.id, survey_id: survey.id, connector_id: p.connectorId, marker: `history-w${response.id}`, status: 'done', attempts: 1, claimed_at: p.answer.submittedAt, done_at: p.answer.submittedAt, created_at: p.answer.submittedAt })
        .execute();
      const f = p.followUp;
      if (!f) continue;
      await trx
        .insertInto('follow_ups')
        .values({
          survey_id: survey.id, response_id: response.id, ticket_id: ticket.id, connector_id: p.connectorId, marker: `history-f${response.id}`,
          status: f.closedAt ? 'closed' : 'open', due_at: f.dueAt, attempts: 1, external_id: `history-task-${t.externalId}`, external_key: `TASK-${t.key}`,
          assignment_group_id: t.groupId, created_external_at: f.createdAt, closed_at: f.closedAt, outcome: f.outcome, outcome_code: f.outcomeCode ?? null,
          overdue_at: f.overdueAt ?? null, escalated_at: f.escalatedAt ?? null, noted_response_id: response.id, created_at: f.createdAt,
        })
        .execute();
    }
  });
  return surveys.length;
}
