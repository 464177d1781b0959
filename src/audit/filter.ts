import { z } from 'zod';
import type { AuditFilter } from './audit-log.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Query → filter, shared by the admin API and the console page. `to` is inclusive (whole UTC days). */
export const auditQuerySchema = z.object({
  actor: z.string().trim().max(80).optional(),
  action: z.string().trim().max(60).optional(),
  target: z.string().trim().max(200).optional(),
  from: day.optional().or(z.literal('')),
  to: day.optional().or(z.literal('')),
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
  before: z.string().regex(/^\d{1,18}$/).optional(),
});

export function auditFilterOf(q: z.infer<typeof auditQuerySchema>): AuditFilter {
  const to = q.to ? new Date(`${q.to}T00:00:00Z`) : undefined;
  if (to) to.setUTCDate(to.getUTCDate() + 1);
  return {
    actor: q.actor || undefined,
    action: q.action || undefined,
    target: q.target || undefined,
    from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to,
    limit: q.limit,
    beforeId: q.before,
  };
}
