import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../ops/metrics.js';
import { sameSecret } from '../admin-auth.js';

/**
 * GET /metrics (Prometheus text). On the public listener it always needs `Authorization: Bearer
 * <METRICS_TOKEN>` (config refuses to start an api without one, unless METRICS_PORT is set); on its own
 * listener (METRICS_PORT) the token is checked when one is configured.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined) {
  app.get('/metrics', async (req, reply) => {
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    if (token && !sameSecret(given, token)) {
      return reply.status(401).header('WWW-Authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
    }
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics());
  });
}

/** A listener of its own for /metrics (METRICS_PORT), in every role: workers' job metrics can be scraped too. */
export async function startMetricsListener(metrics: Metrics, opts: { port: number; host: string; token?: string; logger: Logger }): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, requestTimeout: 10_000 });
  registerMetricsRoute(app, metrics, opts.token);
  app.setNotFoundHandler((_req, reply) => void reply.status(404).send({ error: 'not_found', message: 'this listener serves GET /metrics only' }));
  const url = await app.listen({ port: opts.port, host: opts.host });
  opts.logger.info({ url: `${url}/metrics` }, 'metrics listener started');
  return { url, close: () => app.close() };
}
