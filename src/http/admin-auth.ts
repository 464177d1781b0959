import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './app.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

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
