import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { verifyAnswersLink } from '../../lib/agent-links.js';
import { renderAnswersPage } from '../../render/itsm.js';
import { PAGE_HEADERS } from '../pages/page-scope.js';

/**
 * GET /answers/:surveyId/:expiry.:sig — the signed, read-only answer history agents open from the ticket
 * note. An expired link (AGENT_LINK_TTL_DAYS after it was written) gets the same 404 as a forged one.
 */
export function registerAgentAnswerRoutes(app: FastifyInstance, deps: { db: Db; secret: Buffer }) {
  app.get<{ Params: { surveyId: string; sig: string } }>('/answers/:surveyId/:sig', async (req, reply) => {
    void reply.headers(PAGE_HEADERS);
    if (!verifyAnswersLink(deps.secret, req.params.surveyId, req.params.sig)) return reply.status(404).type('text/plain').send('not found');
    const s = await deps.db
      .selectFrom('surveys as s')
      .innerJoin('tickets as t', 't.id', 's.ticket_id')
      .innerJoin('people as p', 'p.id', 's.person_id')
      .leftJoin('follow_ups as f', 'f.survey_id', 's.id')
      .select(['s.id', 's.scale', 't.external_key', 't.external_id', 't.title', sql<string>`coalesce(p.display_name, 'the customer')`.as('customer'), 'f.status as fStatus', 'f.external_key as fKey', 'f.due_at as fDue', 'f.outcome as fOutcome'])
      .where('s.id', '=', req.params.surveyId)
      .executeTakeFirst();
    if (!s) return reply.status(404).type('text/plain').send('not found');
    const answers = await deps.db.selectFrom('responses').select(['submitted_at', 'score', 'comment', 'is_active', 'flagged']).where('survey_id', '=', s.id).orderBy('submitted_at', 'desc').orderBy('id', 'desc').execute();
    const followUp = s.fStatus ? `${s.fKey ?? 'task'} — ${s.fStatus}, due ${s.fDue?.toISOString().slice(0, 16).replace('T', ' ')} UTC${s.fOutcome ? `; outcome: ${s.fOutcome}` : ''}` : null;
    return reply.type('text/html; charset=utf-8').send(
      renderAnswersPage({
        ticketKey: s.external_key ?? s.external_id,
        ticketTitle: s.title,
        customer: s.customer,
        scale: s.scale,
        followUp,
        answers: answers.map((a) => ({ at: a.submitted_at, score: a.score, comment: a.comment, active: a.is_active, flagged: a.flagged })),
      }),
    );
  });
}
