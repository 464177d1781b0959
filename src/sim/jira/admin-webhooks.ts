/**
 * Admin webhooks as Jira registers them through REST (the same as Jira settings → System → WebHooks):
 * POST/GET /rest/webhooks/1.0/webhook, GET/DELETE /rest/webhooks/1.0/webhook/{id}. Only Jira
 * administrators may call them. Bodies are validated against contracts/jira/webhooks-1.0.schema.json
 * (transcribed from Atlassian's documentation: the platform OpenAPI file has no such path). A registered
 * webhook receives the events it asked for, for the issues its JQL matches, signed with its secret.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JiraAuth } from './auth.js';
import { jiraError } from './errors.js';
import { compileJql } from './jql.js';
import type { IssueRec, JiraStore } from './store.js';
import type { StatsRecorder } from './stats.js';

export interface AdminWebhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  jql: string;
  excludeBody: boolean;
  secret: string | null;
  enabled: boolean;
  lastUpdatedUser: string;
  lastUpdated: number;
}

const SCHEMA_FILE = fileURLToPath(new URL('../../../contracts/jira/webhooks-1.0.schema.json', import.meta.url));
let validate: ReturnType<Ajv['compile']> | null = null;

/** Errors of a registration body against the transcribed schema (empty when valid). */
export function checkAdminWebhookBody(body: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ?? ajvFormats) as unknown as FormatsPlugin;
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
}

export interface AdminWebhookDeps {
  auth: JiraAuth;
  store: JiraStore;
  stats: StatsRecorder;
  /** Account ids allowed to administer Jira (register webhooks); null = everyone. */
  admins: () => Set<string> | null;
  base: () => string;
}

export class AdminWebhooks {
  readonly hooks: AdminWebhook[] = [];
  private nextId = 1;

  constructor(private readonly d: AdminWebhookDeps) {}

  /** The registered, enabled webhooks that want `event` for `issue`. */
  matching(event: string, issue: IssueRec): AdminWebhook[] {
    return this.hooks.filter((h) => {
      if (!h.enabled || (h.events.length > 0 && !h.events.includes(event))) return false;
      if (!h.jql.trim()) return true;
      try {
        const where = compileJql(h.jql, { store: this.d.store, now: Date.now(), timeZone: 'UTC', currentUser: null }).where;
        return where ? where(issue) : true;
      } catch {
        return false;
      }
    });
  }

  private view(h: AdminWebhook) {
    return {
      self: `${this.d.base()}/rest/webhooks/1.0/webhook/${h.id}`,
      name: h.name,
      url: h.url,
      events: [...h.events],
      filters: { 'issue-related-events-section': h.jql },
      excludeBody: h.excludeBody,
      enabled: h.enabled,
      lastUpdatedUser: h.lastUpdatedUser,
      lastUpdated: h.lastUpdated,
    };
  }

  register(app: FastifyInstance): void {
    const admin = (req: FastifyRequest): { ok: true; accountId: string } | { ok: false; status: number; body: unknown } => {
      const a = this.d.auth.authenticate(req.headers.authorization, true);
      if (!a.ok) return { ok: false, status: 401, body: jiraError(['You are not authenticated. Authentication required to perform this operation.']) };
      const admins = this.d.admins();
      if (admins && !admins.has(a.accountId)) return { ok: false, status: 403, body: jiraError(['You do not have the permission to manage webhooks: Jira administrators only.']) };
      return { ok: true, accountId: a.accountId };
    };
    const path = '/rest/webhooks/1.0/webhook';

    app.post(path, async (req, reply) => {
      const who = admin(req);
      if (!who.ok) return reply.code(who.status).send(who.body);
      let body: unknown;
      try {
        body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body;
      } catch {
        this.d.stats.invalid('POST /rest/webhooks/1.0/webhook', ['body is not valid JSON']);
        return reply.code(400).send(jiraError(['The request body is not valid JSON.']));
      }
      const errors = checkAdminWebhookBody(body);
      if (errors.length) {
        this.d.stats.invalid('POST /rest/webhooks/1.0/webhook', errors);
        return reply.code(400).send(jiraError(errors));
      }
      const b = body as { name: string; url: string; events?: string[]; filters?: Record<string, string>; excludeBody?: boolean; secret?: string; enabled?: boolean };
      const hook: AdminWebhook = { id: this.nextId++, name: b.name, url: b.url, events: b.events ?? [], jql: b.filters?.['issue-related-events-section'] ?? '', excludeBody: b.excludeBody ?? false, secret: b.secret ?? null, enabled: b.enabled ?? true, lastUpdatedUser: who.accountId, lastUpdated: Date.now() };
      this.hooks.push(hook);
      return reply.code(201).send(this.view(hook));
    });

    app.get(path, async (req, reply) => {
      const who = admin(req);
      if (!who.ok) return reply.code(who.status).send(who.body);
      return this.hooks.map((h) => this.view(h));
    });

    app.get<{ Params: { id: string } }>(`${path}/:id`, async (req, reply) => {
      const who = admin(req);
      if (!who.ok) return reply.code(who.status).send(who.body);
      const h = this.hooks.find((x) => String(x.id) === req.params.id);
      return h ? this.view(h) : reply.code(404).send(jiraError(['Webhook not found.']));
    });

    app.delete<{ Params: { id: string } }>(`${path}/:id`, async (req, reply) => {
      const who = admin(req);
      if (!who.ok) return reply.code(who.status).send(who.body);
      const i = this.hooks.findIndex((x) => String(x.id) === req.params.id);
      if (i < 0) return reply.code(404).send(jiraError(['Webhook not found.']));
      this.hooks.splice(i, 1);
      return reply.code(204).send();
    });
  }
}
