import { CAP_WINDOW_DAYS, decide, rulesConfigSchema, sampleDraw, type Decision } from '../../rules/index.js';
import { lockClosureFacts, lockPerson, personHistory } from '../../store/decision-facts.js';
import { surveySettingsSchema } from '../../connectors/common-definition.js';
import type { StageContext } from '../context.js';

export type DecideOutcome = { status: 'decided'; decision: Decision; surveyId: string | null } | { status: 'skipped'; reason: string };

/** After the decision is committed: a survey is enqueued to send when its send window opens. */
export async function enqueueSend(ctx: StageContext, surveyId: string, sendAt: Date): Promise<number> {
  const delay = Math.max(0, sendAt.getTime() - ctx.now().getTime());
  await ctx.queues.enqueue('send', { surveyId }, { delay });
  return delay;
}

/**
 * Decides one closure: facts in, pure rules, decision (and survey) out — in one transaction that holds
 * the closure row and the person's advisory lock, so two workers deciding for the same person at the
 * same moment see each other's result and never both choose to survey.
 */
export async function decideClosure(ctx: StageContext, closureId: string): Promise<DecideOutcome> {
  return ctx.db.transaction().execute(async (trx) => {
    const facts = await lockClosureFacts(trx, closureId);
    if (!facts) return { status: 'skipped', reason: 'closure no longer exists' } as const;
    if (facts.status === 'decided') return { status: 'skipped', reason: 'already decided' } as const;

    const connector = await trx.selectFrom('connectors').select('definition').where('id', '=', facts.connectorId).executeTakeFirstOrThrow();
    const definition = connector.definition as { rules?: unknown; survey?: unknown };
    const rules = rulesConfigSchema.parse(definition.rules ?? {});
    const survey = surveySettingsSchema.parse(definition.survey ?? {});
    if (facts.personId) await lockPerson(trx, facts.personId);
    const history = await personHistory(trx, facts, Math.max(rules.cooldownDays, CAP_WINDOW_DAYS) + 1);

    const now = ctx.now();
    const decision = decide({
      now,
      closure: {
        closedAt: facts.closedAt,
        closeCode: facts.closeCode,
        category: facts.category,
        assignmentGroupId: facts.assignmentGroupId,
        assignmentGroupName: facts.assignmentGroupName,
        requesterId: facts.requesterExternalId,
        resolverId: facts.resolverId,
      },
      requester: { email: facts.email, timeZone: facts.timeZone },
      history,
      // Derived from the closure, so a retried job draws the same number.
      sampleDraw: sampleDraw(`${facts.connectorId}:${facts.closureId}`),
      rules,
    });

    const { id: decisionId } = await trx
      .insertInto('survey_decisions')
      .values({ closure_id: closureId, connector_id: facts.connectorId, person_id: facts.personId, outcome: decision.outcome, reason: decision.reason, detail: decision.detail, decided_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    let surveyId: string | null = null;
    if (decision.outcome === 'survey') {
      const row = await trx
        .insertInto('surveys')
        .values({ decision_id: decisionId, closure_id: closureId, ticket_id: facts.ticketId, connector_id: facts.connectorId, person_id: facts.personId!, scale: survey.scale, locale: facts.locale, send_after: decision.sendAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      surveyId = row.id;
    }
    await trx.updateTable('closures').set({ status: 'decided' }).where('id', '=', closureId).execute();
    return { status: 'decided', decision, surveyId } as const;
  });
}
