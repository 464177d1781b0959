/**
 * In-memory Jira (Cloud with JSM, or Data Center) for tests and the demo: REST API, JQL search, comments,
 * issue properties and links, Basic / Bearer auth, seeded faults, signed admin webhooks with retries and
 * duplicates, and a control API under /sim/*. Request bodies are checked against Atlassian's OpenAPI file.
 */
import type { FastifyRequest } from 'fastify';
import { createSimApp } from '../common/app.js';
import { SimListener } from '../common/listen.js';
import type { FaultControl, SimServerApi } from '../common/sim-api.js';
import { textToAdf } from './adf.js';
import { JiraAuth } from './auth.js';
import { JiraOAuthServer } from './oauth.js';
import type { JiraOAuthOptions, OAuthGrantView } from './oauth.js';
import { registerControlApi } from './control-api.js';
import { jiraError } from './errors.js';
import { createFaultInjector } from './faults.js';
import type { Faults } from './faults.js';
import { registerRestApi } from './rest-api.js';
import { ALL_FIELDS, NAVIGABLE_FIELDS, renderComment, renderIssue, renderLink, renderUser } from './render.js';
import type { RenderCtx } from './render.js';
import { StatsRecorder } from './stats.js';
import type { JiraSimStats } from './stats.js';
import { JiraStore } from './store.js';
import type { CommentRec, HistoryRec, IssueRec, StatusName } from './store.js';
import { JiraWebhookSender } from './webhook.js';
import { AdminWebhooks, type AdminWebhook } from './admin-webhooks.js';
import type { JiraWebhookTarget, WebhookDelivery } from './webhook.js';

export type { Faults } from './faults.js';
export type { JiraSimStats, WebhookStats } from './stats.js';
export type { JiraWebhookTarget, WebhookDelivery } from './webhook.js';
export type { StatusName } from './store.js';
export type { JiraOAuthOptions, OAuthGrantView, OAuthStats } from './oauth.js';

export interface JiraSimOptions {
  variant?: 'cloud' | 'datacenter';
  /** PRNG seed for faults and webhook duplicates; default 1. */
  seed?: number;
  /** Site id for /ex/jira/{cloudId}/… (OAuth 2.0 apps through api.atlassian.com); default 'sim-cloud'. */
  cloudId?: string;
  /** Basic auth accounts (email + API token; on Data Center the password); default [{email:'bot@example.com', apiToken:'api-token'}]. */
  users?: Array<{ email: string; apiToken: string; displayName?: string; timeZone?: string }>;
  /** OAuth access tokens (Cloud) or personal access tokens (Data Center), acting as the first user; default ['bearer-token']. */
  bearerTokens?: string[];
  /** Origin used in `self` links and webhook payloads; default the listening URL (else the request's Host). */
  baseUrl?: string;
  /** The OAuth 2.0 (3LO) token endpoint at POST /oauth/token: registered apps and access-token lifetime. */
  oauth?: JiraOAuthOptions;
  /** Emails of the Basic accounts that are Jira administrators (may register admin webhooks); default all. */
  adminEmails?: string[];
}

export interface NewIssue {
  project: string;
  summary: string;
  /** accountId (Data Center: the user key returned as accountId). */
  reporter: string;
  assignee?: string;
  issueType?: string;
  priority?: string;
  components?: string[];
  labels?: string[];
  /** Plain text or an ADF document (extension). */
  description?: string | object;
  /** Creation time (extension); default now. */
  at?: Date;
}

/** Plus app, listen(), close(), url, setFaults(), getFaults() (see ../common/sim-api.ts). */
export interface JiraSim extends SimServerApi, FaultControl<Faults> {
  readonly variant: 'cloud' | 'datacenter';
  createProject(p: { key: string; name: string; type: 'service_desk' | 'software' }): void;
  createUser(u: { displayName: string; email: string; hideEmail?: boolean; timeZone?: string; locale?: string }): { accountId: string };
  createIssue(i: NewIssue): { id: string; key: string };
  /** Done/Closed/Resolved set resolution Done + resolutiondate; leaving the done category clears them. Fires the webhook. */
  transition(issueKey: string, statusName: StatusName, at?: Date): void;
  /** Adds a comment as `author` (default: the assignee, else the first API user); fires the webhook (extension). */
  addComment(keyOrId: string, c: { body: string | object; author?: string; public?: boolean; at?: Date }): any;
  issue(keyOrId: string): any;
  issues(): any[];
  comments(keyOrId: string): any[];
  properties(keyOrId: string): Record<string, unknown>;
  links(): any[];
  stats(): JiraSimStats;
  resetStats(): void;
  /** Admin webhooks registered through POST /rest/webhooks/1.0/webhook (each gets its events, signed with its secret). */
  adminWebhooks(): readonly AdminWebhook[];
  /** Takes a project permission away from an account (GET /mypermissions then reports it missing). */
  denyPermission(email: string, projectKey: string, permission: string): void;
  /** Atlassian's token endpoint (POST /oauth/token, rotating refresh tokens); see oauth.ts. */
  oauth: {
    /** Lifetime of access tokens issued from now on, in seconds. */
    accessTokenTtlSeconds: number;
    readonly clients: ReadonlyArray<{ clientId: string; clientSecret: string }>;
    /** A user consented to the app (with offline_access): returns the grant's first refresh token. */
    issueGrant(clientId?: string): OAuthGrantView;
    /** Revokes one grant (or all): its refresh and access tokens stop working. */
    revoke(grantId?: string): void;
    /** The next `count` token requests fail with `status` (and Retry-After when given). */
    failNext(count: number, status?: 429 | 500 | 503, retryAfterSeconds?: number | null): void;
    grants(): OAuthGrantView[];
  };
  webhook: {
    target: null | JiraWebhookTarget;
    duplicateRate: number;
    /** How many times a failed delivery is retried (408/409/425/429/5xx/timeout/network error). */
    failFirstAttempts: number;
    retryDelaysMs: number[];
    /** Per-attempt timeout (extension); default 10 000. */
    timeoutMs: number;
    /** Every delivery with its attempts (extension). */
    readonly deliveries: readonly WebhookDelivery[];
    flush(): Promise<void>;
  };
}

export function createJiraSim(opts: JiraSimOptions = {}): JiraSim {
  const variant = opts.variant ?? 'cloud';
  const cloudId = opts.cloudId ?? 'sim-cloud';
  const store = new JiraStore(variant);
  const stats = new StatsRecorder();
  const faults = createFaultInjector(opts.seed ?? 1);
  const webhook = new JiraWebhookSender(stats, opts.seed ?? 1);

  const accounts = (opts.users ?? [{ email: 'bot@example.com', apiToken: 'api-token' }]).map((a) => {
    const local = a.email.split('@')[0] ?? a.email;
    const u = store.createUser({ displayName: a.displayName ?? local.charAt(0).toUpperCase() + local.slice(1), email: a.email, timeZone: a.timeZone ?? 'UTC' });
    return { ...a, accountId: u.accountId, username: u.name };
  });
  if (accounts.length === 0) throw new Error('at least one user account is needed');
  const oauth = new JiraOAuthServer(opts.oauth);
  const auth = new JiraAuth(accounts, opts.bearerTokens ?? ['bearer-token'], variant === 'cloud' ? (t) => oauth.isValidAccessToken(t) : undefined);
  const botId = accounts[0]!.accountId;

  const siteBase = () => (opts.baseUrl ?? (server.url || 'http://jira.sim.invalid')).replace(/\/+$/, '');
  const api: 2 | 3 = variant === 'cloud' ? 3 : 2;
  const viewCtx = (): RenderCtx => ({ store, base: siteBase(), api, tz: 'UTC' });
  /** Captured payloads use the REST v2 form (plain-text description and comment bodies). */
  const hookCtx = (): RenderCtx => ({ store, base: siteBase(), api: 2, tz: 'UTC' });

  const denied = new Set<string>();
  const adminIds = opts.adminEmails ? () => new Set(accounts.filter((a) => opts.adminEmails!.map((e) => e.toLowerCase()).includes(a.email.toLowerCase())).map((a) => a.accountId)) : () => null;
  const adminHooks = new AdminWebhooks({ auth, store, stats, admins: adminIds, base: () => siteBase() });

  const fire = (issue: IssueRec, eventType: string, actor: string | null, at: number, extra: { history?: HistoryRec; comment?: CommentRec }) => {
    const registered = adminHooks.matching('jira:issue_updated', issue);
    if (!webhook.target && registered.length === 0) return;
    const r = hookCtx();
    const payload = {
      timestamp: at,
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: eventType,
      user: renderUser(store.users.get(actor ?? botId) ?? store.users.get(botId), r),
      issue: renderIssue(issue, r, { fields: NAVIGABLE_FIELDS }),
      ...(extra.history ? { changelog: { id: extra.history.id, items: extra.history.items.map((i) => ({ ...i })) } } : {}),
      ...(extra.comment ? { comment: renderComment(extra.comment, issue, r) } : {}),
    };
    webhook.send(payload);
    // Data Center webhooks are unsigned (the secret goes in the URL there).
    for (const h of registered) webhook.send(h.excludeBody ? {} : payload, { url: h.url, secret: variant === 'cloud' ? h.secret : null });
  };

  const app = createSimApp({ faults, stats, errorBody: (message) => jiraError([message]) });
  const server = new SimListener(app);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    return reply.code(404).send(jiraError([`null for uri: ${siteBase()}${path}`]));
  });

  if (variant === 'cloud') {
    app.post('/oauth/token', async (req, reply) => {
      const a = oauth.handle(typeof req.body === 'string' ? req.body : '', String(req.headers['content-type'] ?? '').toLowerCase());
      return reply.code(a.status).headers(a.headers).send(a.body);
    });
  }

  adminHooks.register(app);
  registerRestApi(app, {
    denied: (accountId, projectKey, permission) => denied.has(`${accountId}:${projectKey}:${permission}`) || denied.has(`${accountId}:*:${permission}`),
    store,
    auth,
    stats,
    variant,
    cloudId,
    origin: (req: FastifyRequest) => opts.baseUrl ?? (server.url || `${req.protocol}://${req.host}`),
    events: {
      commented: (issue, comment, actor, at) => fire(issue, 'issue_commented', actor, at, { comment }),
      edited: (issue, history, actor, at) => fire(issue, 'issue_updated', actor, at, { history }),
    },
  });

  const mustIssue = (keyOrId: string): IssueRec => {
    const i = store.issue(keyOrId);
    if (!i) throw new Error(`No issue ${keyOrId}`);
    return i;
  };
  const mustUser = (id: string, role: string): string => {
    const u = store.users.get(id) ?? store.findUser(id);
    if (!u) throw new Error(`No user ${id} (${role})`);
    return u.accountId;
  };

  const sim: JiraSim = {
    app,
    variant,
    get url() {
      return server.url;
    },
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(),
    setFaults(f) {
      faults.set(f);
      if (f.searchLagMs !== undefined) store.searchLagMs = f.searchLagMs;
    },
    getFaults: () => faults.get(),
    createProject(p) {
      store.createProject(p);
    },
    createUser(u) {
      return { accountId: store.createUser(u).accountId };
    },
    createIssue(i) {
      const project = store.projects.get(i.project);
      if (!project) throw new Error(`No project ${i.project}`);
      const at = (i.at ?? new Date()).getTime();
      const issue = store.createIssue(
        project.key,
        {
          summary: i.summary,
          issueTypeId: store.ensureIssueType(i.issueType ?? (project.type === 'service_desk' ? 'Service Request' : 'Task')).id,
          reporter: mustUser(i.reporter, 'reporter'),
          creator: mustUser(i.reporter, 'reporter'),
          ...(i.assignee !== undefined ? { assignee: mustUser(i.assignee, 'assignee') } : {}),
          ...(i.priority !== undefined ? { priorityId: (store.priority(i.priority) ?? (() => { throw new Error(`Unknown priority ${i.priority}`); })()).id } : {}),
          ...(i.components ? { components: i.components.map((n) => store.ensureComponent(project, n).id) } : {}),
          ...(i.labels ? { labels: i.labels } : {}),
          ...(i.description !== undefined ? { description: variant === 'cloud' && typeof i.description === 'string' ? textToAdf(i.description) : i.description } : {}),
        },
        at,
      );
      return { id: issue.id, key: issue.key };
    },
    transition(issueKey, statusName, at) {
      const issue = mustIssue(issueKey);
      const when = (at ?? new Date()).getTime();
      const actor = issue.assignee ?? botId;
      const h = store.transition(issue, statusName, actor, when);
      if (h) fire(issue, statusName === 'Resolved' ? 'issue_resolved' : 'issue_generic', actor, when, { history: h });
    },
    addComment(keyOrId, c) {
      const issue = mustIssue(keyOrId);
      const when = (c.at ?? new Date()).getTime();
      const author = c.author !== undefined ? mustUser(c.author, 'author') : (issue.assignee ?? botId);
      const body = variant === 'cloud' ? (typeof c.body === 'string' ? textToAdf(c.body) : c.body) : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
      const pub = c.public ?? true;
      const comment = store.addComment(issue, { author, body, jsdPublic: pub, properties: pub ? [] : [{ key: 'sd.public.comment', value: { internal: true } }] }, when);
      fire(issue, 'issue_commented', author, when, { comment });
      return { ...renderComment(comment, issue, viewCtx()), jsdPublic: comment.jsdPublic };
    },
    issue(keyOrId) {
      const i = store.issue(keyOrId);
      return i ? renderIssue(i, viewCtx(), { fields: ALL_FIELDS, expand: new Set(['changelog']) }) : undefined;
    },
    issues() {
      const r = viewCtx();
      return [...store.issues.values()].map((i) => renderIssue(i, r, { fields: ALL_FIELDS }));
    },
    comments(keyOrId) {
      const issue = mustIssue(keyOrId);
      const r = viewCtx();
      return issue.comments.map((c) => ({ ...renderComment(c, issue, r, new Set(['properties'])), jsdPublic: c.jsdPublic }));
    },
    properties(keyOrId) {
      return structuredClone(mustIssue(keyOrId).properties);
    },
    links() {
      const r = viewCtx();
      return store.links.map((l) => renderLink(l, r));
    },
    stats() {
      return {
        requests: stats.requests,
        status: { ...stats.status },
        byRoute: { ...stats.byRoute },
        rateLimitViolations: faults.violations,
        invalidBodies: stats.invalidBodies.map((b) => ({ route: b.route, errors: [...b.errors] })),
        log: stats.log.map((l) => ({ ...l })),
        webhooks: { ...stats.webhooks },
        oauth: { ...oauth.stats, rejected: { ...oauth.stats.rejected }, log: oauth.stats.log.map((l) => ({ ...l })) },
      };
    },
    resetStats() {
      stats.reset();
      faults.reset();
      oauth.resetStats();
    },
    adminWebhooks: () => adminHooks.hooks,
    denyPermission(email, projectKey, permission) {
      const acc = accounts.find((a) => a.email.toLowerCase() === email.toLowerCase());
      if (!acc) throw new Error(`No account ${email}`);
      denied.add(`${acc.accountId}:${projectKey.toUpperCase()}:${permission}`);
    },
    oauth: {
      get accessTokenTtlSeconds() {
        return oauth.accessTokenTtlSeconds;
      },
      set accessTokenTtlSeconds(v: number) {
        if (!(v > 0)) throw new Error('accessTokenTtlSeconds must be positive');
        oauth.accessTokenTtlSeconds = v;
      },
      get clients() {
        return oauth.clients;
      },
      issueGrant: (clientId) => oauth.issueGrant(clientId),
      revoke: (grantId) => oauth.revoke(grantId),
      failNext: (count, status, retryAfterSeconds) => oauth.failNext(count, status, retryAfterSeconds ?? null),
      grants: () => oauth.listGrants(),
    },
    webhook: {
      get target() {
        return webhook.target;
      },
      set target(t: null | JiraWebhookTarget) {
        webhook.target = t ? { url: t.url, secret: t.secret ?? null } : null;
      },
      get duplicateRate() {
        return webhook.duplicateRate;
      },
      set duplicateRate(v: number) {
        webhook.duplicateRate = v;
      },
      get failFirstAttempts() {
        return webhook.failFirstAttempts;
      },
      set failFirstAttempts(v: number) {
        webhook.failFirstAttempts = v;
      },
      get retryDelaysMs() {
        return webhook.retryDelaysMs;
      },
      set retryDelaysMs(v: number[]) {
        webhook.retryDelaysMs = [...v];
      },
      get timeoutMs() {
        return webhook.timeoutMs;
      },
      set timeoutMs(v: number) {
        webhook.timeoutMs = v;
      },
      get deliveries() {
        return webhook.deliveries;
      },
      flush: () => webhook.flush(),
    },
  };

  registerControlApi(app, sim);
  return sim;
}
