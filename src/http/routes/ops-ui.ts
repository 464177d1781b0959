import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queues } from '../../pipeline/queues.js';
import { adminCredentialOk, refuseAdminPage } from '../admin-auth.js';

/** Moved to ../admin-auth.ts (shared with the analytics pages); re-exported for existing imports. */
export { adminCredentialOk };

/**
 * Bull Board's page may be framed by no one, and talks to no one but us: its stylesheet link to Google
 * Fonts is removed (the page falls back to the system sans-serif), and the policy below blocks any other
 * third-party origin it might add.
 */
export const QUEUE_UI_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;
const THIRD_PARTY_STYLESHEET = /<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>/gi;

/** Bull Board at /admin/queues behind the admin token (Bearer, or the Basic password). */
export function registerOpsUi(app: FastifyInstance, deps: { queues: Queues; adminToken: string }) {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.queues.all().map((q) => new BullMQAdapter(q)), serverAdapter });
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      void reply.headers(QUEUE_UI_HEADERS);
      if (!adminCredentialOk(req, deps.adminToken)) return refuseAdminPage(reply);
    });
    scope.addHook('onSend', async (_req, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '');
      return typeof payload === 'string' && type.startsWith('text/html') ? payload.replace(THIRD_PARTY_STYLESHEET, '') : payload;
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: '/admin/queues' });
  });
}
