import { CAP_WINDOW_DAYS, decide, sampleDraw, type Decision } from '../../rules/index.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import { lockClosureFacts, personHistories, recordDecisions, type ClosureFacts, type DecisionRow } from '../../store/decision-facts.js';
import type { StageContext } from '../context.js';

export type DecideOutcome = { status: 'decided'; decision: Decision; surveyId: string | null } | { status: 'skipped'; reason: string };

/** After the decision is committed: a survey is enqueued to send when its send window opens. */
export async function enqueueSend(ctx: StageContext, surveyId: string, sendAt: Date): Promise<number> {
  const delay = Math.max(0, sendAt.getTime() - ctx.now().getTime());
  await ctx.loaders.enqueue.enqueue('send', { surveyId }, delay);
  return delay;
}

/** Decides one closure (see decideClosures; alone, it is never deferred). */
export async function decideClosure(ctx: StageContext, closureId: string): Promise<DecideOutcome> {
  return (await decideClosures(ctx, [closureId])).outcomes.get(closureId)!;
}

/**
 * Decides closures: facts in, pure rules, decisions (and surveys) out — in one transaction that holds
 * the closure rows and the people's advisory locks, so two workers deciding for the same person at the
 * same moment see each other's result and never both choose to survey. Three statements however many
 * closures: facts with the row and people locks, history (read after the locks), decisions with surveys.
 *
 * Within one call each person and each ticket is decided once: a second closure of the same person (or
 * ticket) must see the first one's decision, so it is left undecided and returned in `deferred`.
 */
export async function decideClosures(ctx: StageContext, closureIds: string[]): Promise<{ outcomes: Map<string, DecideOutcome>; deferred: string[] }> {
  return ctx.db.transaction().execute(async (trx) => {
    const outcomes = new Map<string, DecideOutcome>();
    const deferred: string[] = [];
    const found = new Map((await lockClosureFacts(trx, closureIds)).map((f) => [f.closureId, f]));
    const chosen: Array<{ facts: ClosureFacts; def: ConnectorDefinition }> = [];
    const people = new Set<string>();
    const tickets = new Set<string>();
    for (const id of new Set(closureIds)) {
      const facts = found.get(id);
      if (!facts) outcomes.set(id, { status: 'skipped', reason: 'closure no longer exists' });
      else if (facts.status === 'decided') outcomes.set(id, { status: 'skipped', reason: 'already decided' });
      else if ((facts.personId && people.has(facts.personId)) || tickets.has(facts.ticketId)) deferred.push(id);
      else {
        // The rules as this process knows them (cached for a moment: see ConnectorStore).
        const def = await ctx.connectors.get(facts.connectorId, trx);
        if (!def) {
          outcomes.set(id, { status: 'skipped', reason: 'connector no longer exists' });
          continue;
        }
        if (facts.personId) people.add(facts.personId);
        tickets.add(facts.ticketId);
        chosen.push({ facts, def });
      }
    }
    if (chosen.length === 0) return { outcomes, deferred };

    const histories = await personHistories(
      trx,
      chosen.map(({ facts, def }) => ({ closureId: facts.closureId, personId: facts.personId, ticketId: facts.ticketId, email: facts.email, lookbackDays: Math.max(def.rules.cooldownDays, CAP_WINDOW_DAYS) + 1 })),
    );
    const now = ctx.now();
    const rows: DecisionRow[] = [];
    const decisions = new Map<string, Decision>();
    for (const { facts, def } of chosen) {
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
        history: histories.get(facts.closureId)!,
        // Derived from the closure, so a retried job draws the same number.
        sampleDraw: sampleDraw(`${facts.connectorId}:${facts.closureId}`),
        rules: def.rules,
      });
      decisions.set(facts.closureId, decision);
      rows.push({
        closureId: facts.closureId,
        connectorId: facts.connectorId,
        personId: facts.personId,
        outcome: decision.outcome,
        reason: decision.reason,
        detail: decision.detail,
        decidedAt: now,
        survey: decision.outcome === 'survey' ? { ticketId: facts.ticketId, personId: facts.personId!, scale: def.survey.scale, locale: facts.locale, sendAfter: decision.sendAt } : null,
      });
    }
    const surveys = await recordDecisions(trx, rows);
    for (const [id, decision] of decisions) outcomes.set(id, { status: 'decided', decision, surveyId: surveys.get(id) ?? null });
    return { outcomes, deferred };
  });
}
