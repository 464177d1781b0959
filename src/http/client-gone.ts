import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAbortError } from '../analytics/reader.js';

/**
 * Aborts when the client goes away before its response is complete (a closed tab, a script's
 * timeout): the response's 'close' comes before it has finished. Analytics pass this signal to
 * their reader, which cancels the running queries in Postgres.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Runs an analytics handler with that signal; a cancelled request is logged, and nothing is sent to nobody. */
export function cancellable<R>(handler: (req: FastifyRequest, reply: FastifyReply, signal: AbortSignal) => Promise<R>) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<R | FastifyReply> => {
    const signal = clientGone(reply);
    try {
      return await handler(req, reply, signal);
    } catch (e) {
      if (!isAbortError(e)) throw e;
      req.log.info({ url: req.routeOptions.url }, 'client went away: its analytics queries were cancelled');
      reply.hijack();
      if (!reply.raw.destroyed) reply.raw.destroy();
      return reply;
    }
  };
}
