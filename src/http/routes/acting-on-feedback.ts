import type { FastifyInstance } from 'fastify';
import type { AnalyticsReader } from '../../analytics/reader.js';
import type { ConnectorRuntime } from '../../connectors/runtime.js';
import type { Db } from '../../db/client.js';
import { registerFeedbackReadRoutes, registerFeedbackWriteRoutes } from '../../feedback-import/routes.js';
import { registerInitiativeFormPage } from '../../initiatives/form-page.js';
import { registerYouSaidWeDidPage } from '../../initiatives/public-page.js';
import { registerInitiativeReadRoutes, registerInitiativeWriteRoutes } from '../../initiatives/routes.js';
import { FormSigner } from '../../lib/tokens.js';
import type { ConnectorStore } from '../../store/connectors.js';
import { registerTargetReadRoutes, registerTargetWriteRoutes } from '../../targets/routes.js';
import { ADMIN_PAGE_CHALLENGE, adminCredentialOk, requireAdmin } from '../admin-auth.js';
import { HttpError } from '../app.js';

/**
 * "Acting on feedback" over HTTP: targets, improvement initiatives and imported feedback in the admin
 * API; the dashboard's form that starts an initiative from a theme; the public "you said, we did"
 * page. Reads take the admin token as Bearer or as the Basic password (like the stats API, so that a
 * browser on the dashboard — or a link in an ITSM record — can open them); changes take Bearer only,
 * except the dashboard's own form, which carries a signed anti-forgery field.
 */
export interface ActingRouteDeps {
  db: Db;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  adminToken: string;
  secret: Buffer;
  publicUrl: string;
  claimLeaseMs: number;
  minGroupSize: number;
  now: () => Date;
  reader(signal?: AbortSignal): AnalyticsReader;
}

export function registerActingOnFeedback(app: FastifyInstance, deps: ActingRouteDeps) {
  void app.register(async (reads) => {
    reads.addHook('onRequest', async (req, reply) => {
      if (adminCredentialOk(req, deps.adminToken)) return;
      void reply.header('WWW-Authenticate', ADMIN_PAGE_CHALLENGE);
      throw new HttpError(401, 'this needs the admin token (Authorization: Bearer <ADMIN_TOKEN>, or as the Basic password)');
    });
    registerTargetReadRoutes(reads, deps);
    registerInitiativeReadRoutes(reads, deps);
    registerFeedbackReadRoutes(reads, deps);
  });
  void app.register(async (writes) => {
    requireAdmin(writes, deps.adminToken);
    registerTargetWriteRoutes(writes, deps);
    registerInitiativeWriteRoutes(writes, deps);
    registerFeedbackWriteRoutes(writes, deps);
  });
  registerInitiativeFormPage(app, { db: deps.db, adminToken: deps.adminToken, signer: new FormSigner(deps.secret), now: deps.now });
  registerYouSaidWeDidPage(app, deps);
}
