import type { FastifyInstance } from 'fastify';
import { auditCsv, type AuditLog } from '../../../audit/audit-log.js';
import { auditFilterOf, auditQuerySchema } from '../../../audit/filter.js';
import { HttpError } from '../../app.js';

/** The audit log, newest first: JSON (GET /admin/audit) and CSV (GET /admin/audit.csv), same filters. */
export function registerAuditAdminRoutes(app: FastifyInstance, deps: { audit: AuditLog }) {
  const filter = (raw: unknown) => {
    const r = auditQuerySchema.safeParse(raw ?? {});
    if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return auditFilterOf(r.data);
  };
  app.get('/admin/audit', async (req) => ({ entries: await deps.audit.list(filter(req.query)) }));
  app.get('/admin/audit.csv', async (req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(auditCsv(await deps.audit.list(filter(req.query)))),
  );
}
