/** `/sim/*`: unauthenticated control endpoints mirroring the programmatic API (never faulted, not counted). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceNowSim } from './sim.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date-time' });

const userSchema = z.object({
  user_name: z.string().min(1),
  name: z.string().min(1),
  email: z.string(),
  preferred_language: z.string().optional(),
  time_zone: z.string().optional(),
});
const groupSchema = z.object({ name: z.string().min(1), manager: z.string().optional() });
const incidentSchema = z.object({
  caller_id: z.string().min(1),
  short_description: z.string(),
  category: z.string().optional(),
  subcategory: z.string().optional(),
  assignment_group: z.string().optional(),
  assigned_to: z.string().optional(),
  priority: z.string().optional(),
});
const closeSchema = z.object({
  close_code: z.string().optional(),
  close_notes: z.string().optional(),
  resolved_by: z.string().optional(),
  at: isoDate.optional(),
  state: z.enum(['6', '7']).optional(),
});
const reopenSchema = z.object({ at: isoDate.optional() });
const faultsSchema = z
  .object({
    rate429: z.number().min(0).max(1),
    rate500: z.number().min(0).max(1),
    latencyMs: z.tuple([z.number().min(0), z.number().min(0)]),
    retryAfterSeconds: z.number().min(0),
  })
  .partial()
  .strict();
const webhookSchema = z.union([
  z.null(),
  z.object({ url: z.url(), headers: z.record(z.string(), z.string()).optional() }),
]);

type Parsed<T> = { ok: true; value: T } | { ok: false };

/** Parses the raw JSON body (empty body = `emptyAs`) and validates it; answers 400 itself on failure. */
function validate<T>(req: FastifyRequest, reply: FastifyReply, schema: z.ZodType<T>, emptyAs: unknown): Parsed<T> {
  const raw = typeof req.body === 'string' ? req.body : '';
  let data: unknown = emptyAs;
  if (raw.trim() !== '') {
    try {
      data = JSON.parse(raw);
    } catch {
      void reply.code(400).send({ error: 'body is not valid JSON' });
      return { ok: false };
    }
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    void reply.code(400).send({ error: z.prettifyError(r.error) });
    return { ok: false };
  }
  return { ok: true, value: r.data };
}

function notFound(reply: FastifyReply, e: unknown): FastifyReply {
  return reply.code(404).send({ error: e instanceof Error ? e.message : String(e) });
}

export function registerControlApi(app: FastifyInstance, sim: ServiceNowSim): void {
  app.post('/sim/users', async (req, reply) => {
    const b = validate(req, reply, userSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createUser(b.value)) : reply;
  });

  app.post('/sim/groups', async (req, reply) => {
    const b = validate(req, reply, groupSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createGroup(b.value)) : reply;
  });

  app.post('/sim/incidents', async (req, reply) => {
    const b = validate(req, reply, incidentSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createIncident(b.value)) : reply;
  });

  app.post<{ Params: { sys_id: string } }>('/sim/incidents/:sys_id/close', async (req, reply) => {
    const b = validate(req, reply, closeSchema, {});
    if (!b.ok) return reply;
    const { at, ...rest } = b.value;
    try {
      return reply.send(sim.closeIncident(req.params.sys_id, { ...rest, ...(at ? { at: new Date(at) } : {}) }));
    } catch (e) {
      return notFound(reply, e);
    }
  });

  app.post<{ Params: { sys_id: string } }>('/sim/incidents/:sys_id/reopen', async (req, reply) => {
    const b = validate(req, reply, reopenSchema, {});
    if (!b.ok) return reply;
    try {
      return reply.send(sim.reopenIncident(req.params.sys_id, b.value.at ? new Date(b.value.at) : undefined));
    } catch (e) {
      return notFound(reply, e);
    }
  });

  app.put('/sim/faults', async (req, reply) => {
    const b = validate(req, reply, faultsSchema, undefined);
    if (!b.ok) return reply;
    const { latencyMs, ...rest } = b.value;
    sim.setFaults({ ...rest, ...(latencyMs ? { latencyMs: [latencyMs[0], latencyMs[1]] as [number, number] } : {}) });
    return reply.send(sim.getFaults());
  });

  app.get('/sim/stats', async (_req, reply) => reply.send(sim.stats()));

  app.post('/sim/stats/reset', async (_req, reply) => {
    sim.resetStats();
    return reply.code(204).send();
  });

  app.put('/sim/webhook', async (req, reply) => {
    const b = validate(req, reply, webhookSchema, undefined);
    if (!b.ok) return reply;
    sim.webhook.target = b.value ? { url: b.value.url, headers: b.value.headers ?? {} } : null;
    return reply.send({ target: sim.webhook.target });
  });

  app.get<{ Params: { table: string } }>('/sim/tables/:table', async (req, reply) => {
    if (!sim.hasTable(req.params.table)) return reply.code(404).send({ error: `unknown table ${req.params.table}` });
    return reply.send(sim.table(req.params.table));
  });
}
