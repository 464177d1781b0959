import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../ops/metrics.js';
import type { Queues } from '../../pipeline/queues.js';
import { adminCredentialOk, refuseAdminPage, sameSecret as same } from '../admin-auth.js';

/** Moved to ../admin-auth.ts (shared with the analytics pages); re-exported for existing imports. */
export { adminCredentialOk };

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
      if (!adminCredentialOk(req, deps.adminToken)) return refuseAdminPage(reply);
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: '/admin/queues' });
  });
}
