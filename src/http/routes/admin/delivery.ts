import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { surveySettingsSchema } from '../../../connectors/common-definition.js';
import { QUEUE_NAMES, type QueueName } from '../../../pipeline/catalog.js';
import type { Queues } from '../../../pipeline/queues.js';
import { PREVIEWABLE, renderPreview } from '../../../render/preview.js';
import { availableLocales } from '../../../render/locales.js';
import { normaliseEmail } from '../../../rules/email.js';
import { SCALE_NAMES } from '../../../rules/scales.js';
import type { ConnectorStore } from '../../../store/connectors.js';
import { HttpError } from '../../app.js';
import { actorOf } from '../../../audit/actor.js';
import type { AuditLog } from '../../../audit/audit-log.js';

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return r.data;
}

const email = z.string().transform((v, ctx) => normaliseEmail(v) ?? (ctx.addIssue({ code: 'custom', message: 'must be an email address' }), z.NEVER));

/** Surveys, the suppression list, template previews and the send queue's pause switch. */
export function registerDeliveryAdminRoutes(app: FastifyInstance, deps: { db: Db; queues: Queues; connectors: ConnectorStore; audit?: AuditLog }) {
  app.get('/admin/surveys', async (req) => {
    // Newest first; the next page: before=<id of the last survey listed>.
    const q = parse(z.object({ status: z.string().max(20).optional(), connectorId: z.string().max(63).optional(), limit: z.coerce.number().int().min(1).max(500).default(50), before: z.coerce.number().int().positive().optional() }), req.query);
    let sel = deps.db
      .selectFrom('surveys as s')
      .innerJoin('tickets as t', 't.id', 's.ticket_id')
      .select(['s.id', 's.connector_id as connectorId', 't.external_key as ticket', 's.scale', 's.status', 's.send_after as sendAfter', 's.sent_at as sentAt', 's.delivered_at as deliveredAt', 's.expires_at as expiresAt', 's.failed_reason as failedReason', 's.reminder_status as reminderStatus', 's.message_id as messageId'])
      .orderBy('s.id', 'desc')
      .limit(q.limit);
    if (q.status) sel = sel.where('s.status', '=', q.status as never);
    if (q.connectorId) sel = sel.where('s.connector_id', '=', q.connectorId);
    if (q.before) sel = sel.where('s.id', '<', String(q.before));
    return { surveys: await sel.execute() };
  });

  app.get('/admin/suppressions', async (req) => {
    const q = parse(z.object({ email: email.optional(), includeLifted: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(1000).default(100) }), req.query);
    let sel = deps.db.selectFrom('suppressions').selectAll().orderBy('created_at', 'desc').limit(q.limit);
    if (q.email) sel = sel.where('email', '=', q.email);
    if (q.includeLifted === 'false') sel = sel.where('lifted_at', 'is', null);
    return { suppressions: await sel.execute() };
  });

  app.post('/admin/suppressions', async (req, reply) => {
    const b = parse(z.object({ email, note: z.string().max(200).optional() }).strict(), req.body);
    const before = await deps.db.selectFrom('suppressions').selectAll().where('email', '=', b.email).executeTakeFirst();
    await deps.db
      .insertInto('suppressions')
      .values({ email: b.email, reason: 'manual', source: b.note ? `admin: ${b.note}` : 'admin' })
      .onConflict((oc) => oc.column('email').doUpdateSet({ reason: 'manual', source: b.note ? `admin: ${b.note}` : 'admin', created_at: sql`now()`, lifted_at: null, lifted_by: null }))
      .execute();
    await deps.audit?.record(actorOf(req), { action: 'suppression.add', targetType: 'person', targetId: b.email, before: before ?? null, after: { email: b.email, reason: 'manual', source: b.note ? `admin: ${b.note}` : 'admin' } });
    return reply.status(201).send({ email: b.email, reason: 'manual' });
  });

  /** Lifting keeps the row (who lifted it, when) for the record. */
  app.delete<{ Params: { email: string } }>('/admin/suppressions/:email', async (req, reply) => {
    const address = normaliseEmail(req.params.email);
    if (!address) throw new HttpError(400, 'email: must be an email address');
    const actor = actorOf(req);
    const before = await deps.db.selectFrom('suppressions').selectAll().where('email', '=', address).where('lifted_at', 'is', null).executeTakeFirst();
    const r = await deps.db.updateTable('suppressions').set({ lifted_at: sql`now()`, lifted_by: actor.name.slice(0, 80) }).where('email', '=', address).where('lifted_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new HttpError(404, `${address} is not on the suppression list`);
    await deps.audit?.record(actor, { action: 'suppression.lift', targetType: 'person', targetId: address, before: before ?? null, after: null, detail: before ? `was ${before.reason}${before.source ? ` (${before.source})` : ''}` : null });
    return reply.status(204).send();
  });

  app.get<{ Params: { name: string } }>('/admin/preview/:name', async (req, reply) => {
    if (!(PREVIEWABLE as readonly string[]).includes(req.params.name)) throw new HttpError(404, `no template "${req.params.name.slice(0, 40)}"; previewable: ${PREVIEWABLE.join(', ')}`);
    const q = parse(z.object({ locale: z.enum(availableLocales() as [string, ...string[]]).default('en'), scale: z.enum(SCALE_NAMES as [string, ...string[]]).default('csat'), connectorId: z.string().max(63).optional() }), req.query);
    const def = q.connectorId ? await deps.connectors.get(q.connectorId) : null;
    if (q.connectorId && !def) throw new HttpError(404, `no connector "${q.connectorId}"`);
    const branding = def?.survey.branding ?? surveySettingsSchema.parse({}).branding;
    const out = renderPreview(req.params.name as (typeof PREVIEWABLE)[number], { locale: q.locale, scale: q.scale as 'csat', branding });
    if (out.subject) void reply.header('x-preview-subject', encodeURIComponent(out.subject));
    return reply.type(out.contentType).send(out.body);
  });

  app.post<{ Params: { name: string; action: string } }>('/admin/pipeline/:name/:action', async (req) => {
    const { name, action } = req.params;
    if (!(QUEUE_NAMES as string[]).includes(name)) throw new HttpError(404, `no queue "${name.slice(0, 40)}"`);
    if (action !== 'pause' && action !== 'resume') throw new HttpError(404, 'action must be pause or resume');
    const queue = deps.queues.get(name as QueueName);
    if (action === 'pause') await queue.pause();
    else await queue.resume();
    await deps.audit?.record(actorOf(req), { action: `queue.${action}`, targetType: 'queue', targetId: name });
    return { queue: name, paused: await queue.isPaused() };
  });
}
