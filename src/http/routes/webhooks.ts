import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../../logger.js';
import type { ConnectorRuntime } from '../../connectors/runtime.js';
import type { Db } from '../../db/client.js';
import type { Queues } from '../../pipeline/queues.js';
import type { ConnectorStore } from '../../store/connectors.js';
import { recordInboundEvent } from '../../store/intake.js';
import { HttpError } from '../app.js';
import type { ActivityRecorder, WebhookOutcome } from '../../activity/recorder.js';
import { webhookSummary } from '../../activity/webhook-summary.js';

declare module 'fastify' {
  interface FastifyRequest {
    webhookOutcome?: { outcome: WebhookOutcome; reason: string | null };
  }
}

interface Deps {
  db: Db;
  queues: Queues;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  logger: Logger;
  bodyLimit: number;
  /** Counts deliveries per connector for the console's health view (optional). */
  activity?: ActivityRecorder;
  /** Enqueues the re-read of a stored notification (default: one fetch job each). */
  enqueueFetch?: (connectorId: string, eventId: string) => Promise<void>;
}

/**
 * Push intake for every connector kind: authenticate through the connector, store each notice
 * (deduplicated) in Postgres, then enqueue its re-read. Answers fast; the ITSM is called by a worker.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: Deps) {
  const activity = deps.activity;
  // Every answer to a known connector is counted (accepted, duplicate, ignored, or rejected and why),
  // after it was sent: refusals thrown before the handler ran (a body too large) included.
  const observe = activity
    ? {
        onError: async (req: FastifyRequest, _reply: unknown, err: Error) => {
          req.webhookOutcome = { outcome: 'rejected', reason: 'code' in err && err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `body larger than ${deps.bodyLimit} bytes` : err.message };
        },
        onResponse: async (req: FastifyRequest<{ Params: { kind: string; connectorId: string } }>, reply: { statusCode: number }) => {
          const { kind, connectorId } = req.params;
          const def = /^[a-z0-9-]{1,63}$/.test(connectorId ?? '') ? await deps.connectors.get(connectorId).catch(() => null) : null;
          if (!def || def.kind !== kind) return;
          const seen = req.webhookOutcome ?? { outcome: reply.statusCode < 300 ? ('accepted' as const) : ('rejected' as const), reason: null };
          activity.webhook({ connectorId, status: reply.statusCode, outcome: seen.outcome, reason: seen.reason, summary: webhookSummary(req.body, req.headers), test: req.headers['x-feedback-console-test'] === '1' });
        },
      }
    : {};
  app.post<{ Params: { kind: string; connectorId: string } }>('/webhooks/:kind/:connectorId', { bodyLimit: deps.bodyLimit, ...observe }, async (req, reply) => {
    const { kind, connectorId } = req.params;
    const def = /^[a-z0-9-]{1,63}$/.test(connectorId) ? await deps.connectors.get(connectorId) : null;
    if (!def || def.kind !== kind) throw new HttpError(404, `no ${kind} connector "${connectorId.slice(0, 63)}"`);
    if (!def.enabled) throw new HttpError(403, `connector ${def.id} is disabled`);
    if (def.intake.mode === 'poll') throw new HttpError(403, `connector ${def.id} does not accept push (intake.mode is poll)`);
    if (!req.rawBody) throw new HttpError(400, 'a JSON body is required');

    const verdict = deps.runtime.for(def).verifyWebhook({ headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, rawBody: req.rawBody, body: req.body });
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.message);
    if (verdict.ignored) deps.logger.info({ connectorId, reason: verdict.ignored }, 'webhook acknowledged and ignored');

    let accepted = 0;
    let duplicates = 0;
    for (const notice of verdict.notices) {
      const eventId = await recordInboundEvent(deps.db, def.id, notice);
      if (eventId === null) {
        duplicates++;
        continue;
      }
      accepted++;
      // Stored is safe: if Redis is unavailable now, the reconciler enqueues it later.
      const enqueue = deps.enqueueFetch ?? (async (_c: string, id: string) => void (await deps.queues.enqueue('fetch', { eventId: id })));
      await enqueue(def.id, eventId).catch((err) => deps.logger.warn({ err, eventId }, 'enqueue failed; left to the reconciler'));
    }
    req.webhookOutcome = accepted > 0 ? { outcome: 'accepted', reason: null } : duplicates > 0 ? { outcome: 'duplicate', reason: null } : { outcome: 'ignored', reason: verdict.ignored ?? 'nothing to re-read' };
    return reply.status(202).send({ accepted, duplicates, ...(verdict.ignored ? { ignored: verdict.ignored } : {}) });
  });
}
