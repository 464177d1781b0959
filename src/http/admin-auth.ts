import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './app.js';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Bearer ADMIN_TOKEN on every route of `scope`, compared in constant time. */
export function requireAdmin(scope: FastifyInstance, adminToken: string) {
  const expected = digest(adminToken);
  scope.addHook('onRequest', async (req, reply) => {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1] || !timingSafeEqual(digest(m[1].trim()), expected)) {
      void reply.header('WWW-Authenticate', 'Bearer realm="admin"');
      throw new HttpError(401, 'admin API needs Authorization: Bearer <ADMIN_TOKEN>');
    }
  });
}

/**
 * For admin pages opened in a browser: the admin token as a Bearer header (scripts), or as the
 * password of HTTP Basic auth (browsers prompt for it; any user name). Compared in constant time.
 */
export function adminCredentialOk(req: FastifyRequest, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(h)?.[1];
  if (bearer) return same(bearer.trim(), token);
  const basic = /^Basic\s+(.+)$/i.exec(h)?.[1];
  if (!basic) return false;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return same(decoded.slice(decoded.indexOf(':') + 1), token);
}

/** Constant-time comparison of a presented secret with the expected one. */
export const sameSecret = same;

export const ADMIN_PAGE_CHALLENGE = 'Basic realm="feedback admin", charset="UTF-8"';
const ADMIN_PAGE_REFUSAL = 'admin pages need the admin token (as the password, any user name)';

/**
 * 401 for an admin page (Bull Board, dashboard): the Basic challenge makes browsers prompt for
 * the token. JSON by default; `html` sends that page instead (for pages people open).
 */
export function refuseAdminPage(reply: FastifyReply, opts: { html?: string } = {}) {
  void reply.status(401).header('WWW-Authenticate', ADMIN_PAGE_CHALLENGE);
  if (opts.html !== undefined) return reply.type('text/html; charset=utf-8').send(opts.html);
  return reply.send({ error: 'unauthorized', message: ADMIN_PAGE_REFUSAL });
}
