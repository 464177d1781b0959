import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyError, type FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import { registerInputHygiene, storageRefusal } from './input-hygiene.js';

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

/** Stalled requests are cut off within this long after their timeout (Node's default check runs every 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The body limit that applies to this request's route (its own, else the server's), for 413 messages. */
export const bodyLimitOf = (req: FastifyRequest): number => req.routeOptions.bodyLimit;

/**
 * The fastify instance with the behaviour every route relies on: JSON bodies kept raw as well
 * (webhook signatures are computed over the exact bytes), text input Postgres can store (see
 * input-hygiene.ts), 4xx with a clear message for bad input, no stack traces or internals in answers,
 * and requests that must arrive whole within `requestTimeoutMs` (a body that stalls half-way gets a 408
 * and its connection closed, instead of holding a socket open for ever).
 */
export function createHttpApp(logger: Logger, opts: { bodyLimit: number; trustProxyHops?: number; requestTimeoutMs?: number }): FastifyInstance {
  const requestTimeout = opts.requestTimeoutMs ?? 15_000;
  // Per-request access logs are off: at webhook rates they drown the decisions; rejections are logged below.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: (_addr: string, hop: number) => hop < (opts.trustProxyHops ?? 0),
    requestTimeout,
    http: { headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, requestTimeout) },
  });
  registerInputHygiene(app);

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
    const refused = storageRefusal(err);
    const status = refused ? 400 : err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.routeOptions.url }, 'request failed');
    else if (refused) req.log.warn({ err, url: req.routeOptions.url }, 'request refused: input the database cannot store');
    else req.log.info({ status, url: req.routeOptions.url, reason: err.message }, 'request rejected');
    // Our own HttpErrors (a 503 "analytics are busy") say what happened; anything else stays opaque.
    const message =
      status >= 500 && !(err instanceof HttpError) ? 'internal error' : refused ? `input cannot be stored: ${refused}` : 'code' in err && err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `body is larger than ${bodyLimitOf(req)} bytes, the limit of this route` : err.message;
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
