import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../../ops/metrics.js';
import type { Queues } from '../../pipeline/queues.js';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The admin token as a Bearer header (scripts), or as the password of HTTP Basic auth (browsers prompt for it). */
export function adminCredentialOk(req: FastifyRequest, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(h)?.[1];
  if (bearer) return same(bearer.trim(), token);
  const basic = /^Basic\s+(.+)$/i.exec(h)?.[1];
  if (!basic) return false;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return same(decoded.slice(decoded.indexOf(':') + 1), token);
}

function refuse(reply: FastifyReply) {
  return reply.status(401).header('WWW-Authenticate', 'Basic realm="feedback admin", charset="UTF-8"').send({ error: 'unauthorized', message: 'admin pages need the admin token (as the password, any user name)' });
}

/** GET /metrics for Prometheus, and Bull Board at /admin/queues behind the admin token. */
export function registerOpsUi(app: FastifyInstance, deps: { queues: Queues; metrics?: Metrics; adminToken: string; metricsToken?: string }) {
  if (deps.metrics) {
    const metrics = deps.metrics;
    app.get('/metrics', async (req, reply) => {
      if (deps.metricsToken && !same(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '', deps.metricsToken)) return reply.status(401).send({ error: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.queues.all().map((q) => new BullMQAdapter(q)), serverAdapter });
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!adminCredentialOk(req, deps.adminToken)) return refuse(reply);
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: '/admin/queues' });
  });
}
