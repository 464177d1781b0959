import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import type { Logger } from '../logger.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

/**
 * The fastify instance with the behaviour every route relies on: JSON bodies kept raw as well
 * (webhook signatures are computed over the exact bytes), 4xx with a clear message for bad input,
 * and no stack traces or internals in answers.
 */
export function createHttpApp(logger: Logger, opts: { bodyLimit: number; trustProxyHops?: number }): FastifyInstance {
  // Per-request access logs are off: at webhook rates they drown the decisions; rejections are logged below.
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: opts.bodyLimit, logController: new LogController({ disableRequestLogging: true }), trustProxy: (_addr: string, hop: number) => hop < (opts.trustProxyHops ?? 0) });

  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(new HttpError(400, 'body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.routeOptions.url }, 'request failed');
    else req.log.info({ status, url: req.routeOptions.url, reason: err.message }, 'request rejected');
    // Our own HttpErrors (a 503 "analytics are busy") say what happened; anything else stays opaque.
    const message =
      status >= 500 && !(err instanceof HttpError) ? 'internal error' : 'code' in err && err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `body is larger than ${opts.bodyLimit} bytes` : err.message;
    void reply.status(status).send({ error: statusText(status), message, ...(err instanceof HttpError && err.details ? { details: err.details } : {}) });
  });

  app.setNotFoundHandler((req, reply) => void reply.status(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  return app;
}

function statusText(status: number): string {
  return (
    { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'too_many_requests', 503: 'unavailable' } as Record<number, string>
  )[status] ?? (status >= 500 ? 'internal_error' : 'error');
}
