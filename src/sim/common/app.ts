/** The fastify app both simulators are built on, with the plumbing they share already wired. */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface SimAppParts {
  faults: { onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> };
  stats: { arrived(req: FastifyRequest): void; record(req: FastifyRequest, reply: FastifyReply): void };
  /** The ITSM's error body for an error thrown by a handler or by fastify itself. */
  errorBody(message: string): unknown;
}

/**
 * Every body arrives as a raw string, so handlers can answer bad JSON in the ITSM's own error shape;
 * faults are decided before any handler runs; every answer (faulted ones too) is counted.
 */
export function createSimApp(parts: SimAppParts): FastifyInstance {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', (req, reply) => {
    parts.stats.arrived(req);
    return parts.faults.onRequest(req, reply);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    parts.stats.record(req, reply);
    return payload;
  });
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    return reply.code(status).send(parts.errorBody(err.message ?? 'Internal server error'));
  });
  return app;
}
