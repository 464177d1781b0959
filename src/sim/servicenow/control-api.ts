/** `/sim/*`: unauthenticated control endpoints mirroring the programmatic API (never faulted, not counted). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { faultField, faultsSchema, registerFaultRoutes, registerStatsRoutes } from '../common/control-api.js';
import { parseBody } from '../common/control-body.js';
import type { ServiceNowSim } from './sim.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date-time' });

const userSchema = z.object({
  user_name: z.string().min(1),
  name: z.string().min(1),
  email: z.string(),
  preferred_language: z.string().optional(),
  time_zone: z.string().optional(),
});
const groupSchema = z.object({ name: z.string().min(1), manager: z.string().optional(), email: z.string().optional() });
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
const faultsBody = faultsSchema({
  rate429: faultField.rate,
  rate500: faultField.rate,
  latencyMs: faultField.latencyMs,
  retryAfterSeconds: faultField.nonNegative,
});
const webhookSchema = z.union([
  z.null(),
  z.object({ url: z.url(), headers: z.record(z.string(), z.string()).optional() }),
]);

function notFound(reply: FastifyReply, e: unknown): FastifyReply {
  return reply.code(404).send({ error: e instanceof Error ? e.message : String(e) });
}

export function registerControlApi(app: FastifyInstance, sim: ServiceNowSim): void {
  app.post('/sim/users', async (req, reply) => {
    const b = parseBody(req, reply, userSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createUser(b.value)) : reply;
  });

  app.post('/sim/groups', async (req, reply) => {
    const b = parseBody(req, reply, groupSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createGroup(b.value)) : reply;
  });

  app.post('/sim/incidents', async (req, reply) => {
    const b = parseBody(req, reply, incidentSchema, undefined);
    return b.ok ? reply.code(201).send(sim.createIncident(b.value)) : reply;
  });

  app.post<{ Params: { sys_id: string } }>('/sim/incidents/:sys_id/close', async (req, reply) => {
    const b = parseBody(req, reply, closeSchema, {});
    if (!b.ok) return reply;
    const { at, ...rest } = b.value;
    try {
      return reply.send(sim.closeIncident(req.params.sys_id, { ...rest, ...(at ? { at: new Date(at) } : {}) }));
    } catch (e) {
      return notFound(reply, e);
    }
  });

  app.post<{ Params: { sys_id: string } }>('/sim/incidents/:sys_id/reopen', async (req, reply) => {
    const b = parseBody(req, reply, reopenSchema, {});
    if (!b.ok) return reply;
    try {
      return reply.send(sim.reopenIncident(req.params.sys_id, b.value.at ? new Date(b.value.at) : undefined));
    } catch (e) {
      return notFound(reply, e);
    }
  });

  registerFaultRoutes(app, sim, faultsBody, { withGet: false });
  registerStatsRoutes(app, sim);

  app.put('/sim/webhook', async (req, reply) => {
    const b = parseBody(req, reply, webhookSchema, undefined);
    if (!b.ok) return reply;
    sim.webhook.target = b.value ? { url: b.value.url, headers: b.value.headers ?? {} } : null;
    return reply.send({ target: sim.webhook.target });
  });

  app.get<{ Params: { table: string } }>('/sim/tables/:table', async (req, reply) => {
    if (!sim.hasTable(req.params.table)) return reply.code(404).send({ error: `unknown table ${req.params.table}` });
    return reply.send(sim.table(req.params.table));
  });
}
