import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../../audit/actor.js';
import type { AuditLog } from '../../../audit/audit-log.js';
import type { Db } from '../../../db/client.js';
import { maskEmails } from '../../../logger.js';
import { erasePerson, findPerson } from '../../../people/person-data.js';
import { normaliseEmail } from '../../../rules/email.js';
import { HttpError } from '../../app.js';

/**
 * One person's data by email (normalised): GET /admin/people?email= (what we hold), GET
 * /admin/people/export?email= (the same as a download, for a data-access request; audited), POST
 * /admin/people/erase {email} (anonymise; audited, and their address masked in the audit log).
 */
export function registerPeopleAdminRoutes(app: FastifyInstance, deps: { db: Db; audit?: AuditLog }) {
  const emailOf = (v: unknown) => {
    const e = normaliseEmail(typeof v === 'string' ? v : null);
    if (!e) throw new HttpError(400, 'email: must be an email address');
    return e;
  };
  app.get<{ Querystring: { email?: string } }>('/admin/people', async (req) => findPerson(deps.db, emailOf(req.query.email)));

  app.get<{ Querystring: { email?: string } }>('/admin/people/export', async (req, reply) => {
    const email = emailOf(req.query.email);
    const data = await findPerson(deps.db, email);
    await deps.audit?.record(actorOf(req), { action: 'person.export', targetType: 'person', targetId: email, detail: `${data.surveys.length} surveys, ${data.answers.length} answers, ${data.decisions.length} decisions, ${data.suppressions.length} suppressions` });
    return reply.header('content-disposition', 'attachment; filename="person-export.json"').send({ exportedAt: new Date().toISOString(), email, ...data });
  });

  app.post('/admin/people/erase', async (req) => {
    const email = emailOf((req.body as { email?: unknown } | undefined)?.email);
    const r = await erasePerson(deps.db, email);
    await deps.audit?.record(actorOf(req), { action: 'person.erase', targetType: 'person', targetId: email, after: r, detail: `answers anonymised: ${r.answersAnonymised}, links revoked: ${r.linksRevoked}${r.activeSuppressionKept ? ', active suppression kept' : ''}` });
    // The audit log keeps what was done, not to whom: the address becomes the masked form everywhere in it.
    await deps.audit?.maskTarget(email, maskEmails(email));
    return r;
  });
}
