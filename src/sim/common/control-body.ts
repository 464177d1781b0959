/** Body validation for the control API (/sim/*): JSON parsed here, then checked with zod. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export type Parsed<T> = { ok: true; value: T } | { ok: false };

/**
 * Parses the raw JSON body (empty body = `emptyAs`) and validates it; answers 400 itself on failure, so a
 * handler only has to `return reply` when `ok` is false.
 */
export function parseBody<T>(req: FastifyRequest, reply: FastifyReply, schema: z.ZodType<T>, emptyAs: unknown): Parsed<T> {
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
