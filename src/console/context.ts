import type { FastifyRequest } from 'fastify';
import type { RedisClient } from '../redis/factory.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../audit/actor.js';
import type { ConnectorRuntime } from '../connectors/runtime.js';
import type { HostPolicy } from '../connectors/http/host-policy.js';
import type { Queues } from '../pipeline/queues.js';
import type { ConnectorStore } from '../store/connectors.js';
import type { AdminApi } from './admin-api.js';
import { consoleAssets } from './render.js';

export interface ConsoleDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  publicUrl: string;
  adminToken: string;
  secret: Buffer;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  loginPerMinute: number;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  queues: Queues;
  audit: AuditLog;
  now: () => Date;
  /** ITSM_ALLOWED_HOSTS: the console's own calls to an ITSM (webhook registration) obey it too. */
  hostPolicy?: HostPolicy;
}

export interface ConsoleCtx extends ConsoleDeps {
  api: AdminApi;
}

export interface Banner {
  level: 'error' | 'warn';
  title: string;
  text: string;
  fixUrl?: string;
  fixAction?: string;
  fixLabel?: string;
}

/** The admin behind a console request, as the audit log names them. */
export const consoleActor = (req: FastifyRequest): Actor => ({ name: req.consoleSession?.actor ?? 'console', channel: 'console' });

/**
 * What every page needs besides its own data: the signed-in admin, the CSRF token for its forms, the
 * asset URLs, and the banners for things that stop the loop (sending paused, a dead OAuth grant).
 */
export async function pageContext(ctx: ConsoleCtx, req: FastifyRequest, section: string, title: string, extra: object = {}) {
  return { page: { title, section }, actor: req.consoleSession?.actor ?? '', csrf: req.consoleSession?.csrfToken ?? '', assets: consoleAssets(), banners: await banners(ctx), ...extra };
}

async function banners(ctx: ConsoleCtx): Promise<Banner[]> {
  const out: Banner[] = [];
  const paused = await ctx.queues.get('send').isPaused().catch(() => false);
  if (paused) {
    out.push({
      level: 'error',
      title: 'Sending is paused.',
      text: 'No survey email goes out. SES paused or suspended sending, or its credentials were refused (the service log has an ALARM line with the reason). Fix it in AWS SES (or the SMTP relay), then resume.',
      fixAction: '/admin/console/queues/send/resume',
      fixLabel: 'Resume sending',
    });
  }
  const dead = await ctx.db.selectFrom('oauth_tokens').select(['connector_id', 'grant_error']).where('grant_error', 'is not', null).execute();
  for (const d of dead) {
    out.push({
      level: 'error',
      title: `The OAuth grant of connector ${d.connector_id} is dead.`,
      text: `Every call to this ITSM fails (${d.grant_error ?? 'invalid_grant'}). Authorise the app again as the integration account and enter the new refresh token.`,
      fixUrl: `/admin/console/connectors/${encodeURIComponent(d.connector_id)}/edit#f-auth-refreshToken`,
      fixLabel: 'Enter a new refresh token',
    });
  }
  return out;
}
