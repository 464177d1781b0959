import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/client.js';
import { formatIssues, patchDefinition, replaceDefinition, validateDefinition, type InputResult } from '../../../connectors/definition-input.js';
import { maskSecrets } from '../../../connectors/definition-secrets.js';
import { secretPathsOf, type ConnectorDefinition } from '../../../connectors/registry.js';
import type { ConnectorRuntime } from '../../../connectors/runtime.js';
import type { HostPolicy } from '../../../connectors/http/host-policy.js';
import type { Queues } from '../../../pipeline/queues.js';
import type { ConnectorStore } from '../../../store/connectors.js';
import { HttpError } from '../../app.js';
import { actorOf } from '../../../audit/actor.js';
import type { AuditLog } from '../../../audit/audit-log.js';

interface Deps {
  db: Db;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  queues: Queues;
  publicUrl: string;
  /** Records every change (who: actorOf(req)); optional so that routes can be mounted without it in tests. */
  audit?: AuditLog;
  /** ITSM_ALLOWED_HOSTS: saves pointing elsewhere are refused (400 naming the field). */
  hostPolicy?: HostPolicy;
}

type IdParams = { Params: { id: string } };

export function registerConnectorAdminRoutes(app: FastifyInstance, deps: Deps) {
  const policy = { hostPolicy: deps.hostPolicy };
  const view = async (def: ConnectorDefinition) => {
    const cursor = await deps.db.selectFrom('poll_cursors').selectAll().where('connector_id', '=', def.id).executeTakeFirst();
    return {
      connector: maskSecrets(def as Record<string, unknown>, secretPathsOf(def.kind)),
      webhookUrl: `${deps.publicUrl}/webhooks/${def.kind}/${def.id}`,
      poll: cursor
        ? { cursorAt: cursor.cursor_at, lastStartedAt: cursor.last_started_at, lastSucceededAt: cursor.last_succeeded_at, lastError: cursor.last_error, lastFetched: cursor.last_fetched, lastPages: cursor.last_pages, consecutiveFailures: cursor.consecutive_failures }
        : null,
    };
  };
  const mustGet = async (id: string) => {
    const def = await deps.connectors.get(id);
    if (!def) throw new HttpError(404, `no connector "${id.slice(0, 63)}"`);
    return def;
  };
  const masked = (def: ConnectorDefinition | null) => (def ? maskSecrets(def as Record<string, unknown>, secretPathsOf(def.kind)) : null);
  const audit = (req: FastifyRequest, action: string, id: string, before: ConnectorDefinition | null, after: ConnectorDefinition | null, detail?: string) =>
    deps.audit?.record(actorOf(req), { action, targetType: 'connector', targetId: id, before: masked(before), after: masked(after), detail: detail ?? null });
  const valid = (r: InputResult): ConnectorDefinition => {
    if (!r.ok) throw new HttpError(400, `invalid connector: ${formatIssues(r.issues)}`, r.issues);
    return r.def;
  };

  app.get('/admin/connectors', async () => ({ connectors: await Promise.all((await deps.connectors.list()).map(view)) }));

  app.post('/admin/connectors', async (req, reply) => {
    const def = valid(validateDefinition(req.body, policy));
    if (await deps.connectors.get(def.id)) throw new HttpError(409, `connector "${def.id}" exists; use PUT or PATCH /admin/connectors/${def.id}`);
    await deps.connectors.save(def);
    await audit(req, 'connector.create', def.id, null, def);
    return reply.status(201).send(await view(def));
  });

  app.get<IdParams>('/admin/connectors/:id', async (req) => view(await mustGet(req.params.id)));

  app.put<IdParams>('/admin/connectors/:id', async (req, reply) => {
    const existing = await deps.connectors.get(req.params.id);
    const body = req.body && typeof req.body === 'object' ? { ...(req.body as object), id: req.params.id } : req.body;
    const saved = await deps.connectors.save(valid(replaceDefinition(body, existing, policy)));
    if (saved.action !== 'unchanged') await audit(req, saved.action === 'created' ? 'connector.create' : 'connector.update', saved.def.id, existing, saved.def, `changed: ${saved.changed.join(', ') || '(new)'}`);
    return reply.status(saved.action === 'created' ? 201 : 200).send({ ...(await view(saved.def)), action: saved.action, changed: saved.changed });
  });

  app.patch<IdParams>('/admin/connectors/:id', async (req) => {
    const existing = await mustGet(req.params.id);
    const saved = await deps.connectors.save(valid(patchDefinition(req.body, existing, policy)));
    if (saved.action !== 'unchanged') await audit(req, 'connector.update', saved.def.id, existing, saved.def, `changed: ${saved.changed.join(', ')}`);
    return { ...(await view(saved.def)), action: saved.action, changed: saved.changed };
  });

  app.delete<IdParams & { Querystring: { purge?: string } }>('/admin/connectors/:id', async (req, reply) => {
    const def = await mustGet(req.params.id);
    const tickets = await deps.connectors.ticketCount(def.id);
    if (tickets > 0 && req.query.purge !== 'true') {
      throw new HttpError(409, `connector ${def.id} has ${tickets} tickets with their surveys and answers; disable it (PATCH {"enabled":false}) to keep them, or DELETE with ?purge=true to erase them`);
    }
    await deps.connectors.delete(def.id);
    await audit(req, 'connector.delete', def.id, def, null, tickets > 0 ? `purged ${tickets} tickets with their surveys and answers` : undefined);
    return reply.status(204).send();
  });

  app.post<IdParams>('/admin/connectors/:id/test', async (req) => deps.runtime.for(await mustGet(req.params.id)).checkConnection());

  app.post<IdParams>('/admin/connectors/:id/poll', async (req, reply) => {
    const def = await mustGet(req.params.id);
    if (!def.enabled) throw new HttpError(409, `connector ${def.id} is disabled`);
    // A poll that failed keeps its (deterministic) id for a day as a dead letter, and BullMQ would
    // silently ignore a new job with that id: asking to poll again is the retry, so the failed one goes.
    const queue = deps.queues.get('poll');
    const failed = deps.queues.jobId('poll', { connectorId: def.id });
    if ((await queue.getJobState(failed)) === 'failed') await queue.remove(failed);
    const jobId = await deps.queues.enqueue('poll', { connectorId: def.id });
    await deps.audit?.record(actorOf(req), { action: 'connector.poll', targetType: 'connector', targetId: def.id, detail: 'poll requested now' });
    return reply.status(202).send({ queued: true, jobId });
  });
}
