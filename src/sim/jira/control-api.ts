/** `/sim/*`: unauthenticated control endpoints mirroring the programmatic API (never faulted, not counted). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { faultField, faultsSchema, registerFaultRoutes, registerStatsRoutes } from '../common/control-api.js';
import { parseBody } from '../common/control-body.js';
import type { JiraSim } from './sim.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date-time' });
const toDate = (s: string | undefined) => (s === undefined ? undefined : new Date(s));

const projectSchema = z.object({ key: z.string().regex(/^[A-Z][A-Z0-9_]{0,9}$/, 'must be a project key like SUP'), name: z.string().min(1), type: z.enum(['service_desk', 'software']) }).strict();
const userSchema = z
  .object({ displayName: z.string().min(1), email: z.string().min(3), hideEmail: z.boolean().optional(), timeZone: z.string().optional(), locale: z.string().optional() })
  .strict();
const issueSchema = z
  .object({
    project: z.string().min(1),
    summary: z.string().min(1),
    reporter: z.string().min(1),
    assignee: z.string().optional(),
    issueType: z.string().optional(),
    priority: z.string().optional(),
    components: z.array(z.string().min(1)).optional(),
    labels: z.array(z.string().regex(/^\S+$/, 'labels cannot contain spaces')).optional(),
    description: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    at: isoDate.optional(),
  })
  .strict();
const transitionSchema = z.object({ status: z.enum(['To Do', 'In Progress', 'Done', 'Closed', 'Resolved']), at: isoDate.optional() }).strict();
const commentSchema = z
  .object({ body: z.union([z.string().min(1), z.record(z.string(), z.unknown())]), author: z.string().optional(), public: z.boolean().optional(), at: isoDate.optional() })
  .strict();
const faultsBody = faultsSchema({
  rate429: faultField.rate,
  rate503: faultField.rate,
  rate500: faultField.rate,
  latencyMs: faultField.latencyMs,
  retryAfterSeconds: faultField.nonNegative,
  searchLagMs: faultField.nonNegative,
});
const webhookSchema = z
  .object({
    target: z.union([z.null(), z.object({ url: z.url(), secret: z.string().min(1).nullable() }).strict()]),
    duplicateRate: z.number().min(0).max(1),
    failFirstAttempts: z.number().int().min(0).max(100),
    retryDelaysMs: z.array(z.number().min(0)),
    timeoutMs: z.number().int().min(1),
  })
  .partial()
  .strict();

const oauthSettingsSchema = z.object({ accessTokenTtlSeconds: z.number().positive().max(86_400) }).partial().strict();
const oauthGrantSchema = z.object({ clientId: z.string().min(1) }).partial().strict();
const oauthRevokeSchema = z.object({ grantId: z.string().min(1) }).partial().strict();
const oauthFailSchema = z
  .object({ count: z.number().int().min(1).max(1000), status: z.union([z.literal(429), z.literal(500), z.literal(503)]).default(503), retryAfterSeconds: z.number().min(0).nullable().default(null) })
  .strict();

/** Runs `fn`; a thrown Error (unknown issue, user, duplicate key …) becomes `status` with its message. */
function attempt(reply: FastifyReply, status: number, fn: () => unknown): FastifyReply {
  try {
    const out = fn();
    return out === undefined ? reply.code(204).send() : reply.send(out);
  } catch (e) {
    return reply.code(status).send({ error: e instanceof Error ? e.message : String(e) });
  }
}

export function registerControlApi(app: FastifyInstance, sim: JiraSim): void {
  app.post('/sim/projects', async (req, reply) => {
    const b = parseBody(req, reply, projectSchema, undefined);
    if (!b.ok) return reply;
    return attempt(reply.code(201), 409, () => {
      sim.createProject(b.value);
      return b.value;
    });
  });

  app.post('/sim/users', async (req, reply) => {
    const b = parseBody(req, reply, userSchema, undefined);
    return b.ok ? attempt(reply.code(201), 400, () => sim.createUser(b.value)) : reply;
  });

  app.post('/sim/issues', async (req, reply) => {
    const b = parseBody(req, reply, issueSchema, undefined);
    if (!b.ok) return reply;
    const { at, ...rest } = b.value;
    return attempt(reply.code(201), 400, () => sim.createIssue({ ...rest, ...(at ? { at: new Date(at) } : {}) }));
  });

  app.get('/sim/issues', async (_req, reply) => reply.send(sim.issues()));

  app.get<{ Params: { key: string } }>('/sim/issues/:key', async (req, reply) => {
    const issue = sim.issue(req.params.key);
    return issue ? reply.send(issue) : reply.code(404).send({ error: `No issue ${req.params.key}` });
  });

  app.post<{ Params: { key: string } }>('/sim/issues/:key/transition', async (req, reply) => {
    const b = parseBody(req, reply, transitionSchema, undefined);
    if (!b.ok) return reply;
    return attempt(reply, 404, () => {
      sim.transition(req.params.key, b.value.status, toDate(b.value.at));
      return sim.issue(req.params.key);
    });
  });

  app.post<{ Params: { key: string } }>('/sim/issues/:key/comments', async (req, reply) => {
    const b = parseBody(req, reply, commentSchema, undefined);
    if (!b.ok) return reply;
    const { at, ...rest } = b.value;
    return attempt(reply.code(201), 404, () => sim.addComment(req.params.key, { ...rest, ...(at ? { at: new Date(at) } : {}) }));
  });

  app.get<{ Params: { key: string } }>('/sim/issues/:key/comments', async (req, reply) => attempt(reply, 404, () => sim.comments(req.params.key)));
  app.get<{ Params: { key: string } }>('/sim/issues/:key/properties', async (req, reply) => attempt(reply, 404, () => sim.properties(req.params.key)));
  app.get('/sim/links', async (_req, reply) => reply.send(sim.links()));

  registerFaultRoutes(app, sim, faultsBody, { withGet: true });

  const webhookView = () => ({
    target: sim.webhook.target,
    duplicateRate: sim.webhook.duplicateRate,
    failFirstAttempts: sim.webhook.failFirstAttempts,
    retryDelaysMs: sim.webhook.retryDelaysMs,
    timeoutMs: sim.webhook.timeoutMs,
  });
  app.get('/sim/webhook', async (_req, reply) => reply.send(webhookView()));
  app.put('/sim/webhook', async (req, reply) => {
    const b = parseBody(req, reply, webhookSchema, undefined);
    if (!b.ok) return reply;
    const v = b.value;
    if (v.target !== undefined) sim.webhook.target = v.target;
    if (v.duplicateRate !== undefined) sim.webhook.duplicateRate = v.duplicateRate;
    if (v.failFirstAttempts !== undefined) sim.webhook.failFirstAttempts = v.failFirstAttempts;
    if (v.retryDelaysMs !== undefined) sim.webhook.retryDelaysMs = v.retryDelaysMs;
    if (v.timeoutMs !== undefined) sim.webhook.timeoutMs = v.timeoutMs;
    return reply.send(webhookView());
  });
  app.post('/sim/webhook/flush', async (_req, reply) => {
    await sim.webhook.flush();
    return reply.code(204).send();
  });
  app.get('/sim/webhook/deliveries', async (_req, reply) => reply.send(sim.webhook.deliveries));

  // OAuth 2.0 (3LO) token endpoint: lifetime of issued access tokens, new grants (first refresh token),
  // revocation (the user removed the app) and seeded failures of POST /oauth/token.
  const oauthView = () => ({ accessTokenTtlSeconds: sim.oauth.accessTokenTtlSeconds, clients: sim.oauth.clients.map((c) => ({ clientId: c.clientId })), grants: sim.oauth.grants() });
  app.get('/sim/oauth', async (_req, reply) => reply.send(oauthView()));
  app.put('/sim/oauth', async (req, reply) => {
    const b = parseBody(req, reply, oauthSettingsSchema, undefined);
    if (!b.ok) return reply;
    if (b.value.accessTokenTtlSeconds !== undefined) sim.oauth.accessTokenTtlSeconds = b.value.accessTokenTtlSeconds;
    return reply.send(oauthView());
  });
  app.post('/sim/oauth/grants', async (req, reply) => {
    const b = parseBody(req, reply, oauthGrantSchema, {});
    if (!b.ok) return reply;
    return attempt(reply.code(201), 400, () => sim.oauth.issueGrant(b.value.clientId));
  });
  app.post('/sim/oauth/revoke', async (req, reply) => {
    const b = parseBody(req, reply, oauthRevokeSchema, {});
    if (!b.ok) return reply;
    return attempt(reply, 404, () => sim.oauth.revoke(b.value.grantId));
  });
  app.post('/sim/oauth/fail', async (req, reply) => {
    const b = parseBody(req, reply, oauthFailSchema, undefined);
    if (!b.ok) return reply;
    sim.oauth.failNext(b.value.count, b.value.status, b.value.retryAfterSeconds);
    return reply.code(204).send();
  });

  registerStatsRoutes(app, sim);
}
