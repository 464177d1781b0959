/** In-memory ServiceNow instance (Table API, OAuth, faults, control API) for tests and the demo. */
import type { FastifyRequest } from 'fastify';
import { createSimApp } from '../common/app.js';
import { SimListener } from '../common/listen.js';
import type { FaultControl, SimServerApi } from '../common/sim-api.js';
import { AuthService, registerOAuthRoute } from './auth.js';
import type { BasicUser, OAuthClient } from './auth.js';
import { registerControlApi } from './control-api.js';
import { createFaultInjector } from './faults.js';
import type { Faults } from './faults.js';
import { StatsRecorder } from './stats.js';
import type { SimStats } from './stats.js';
import { SnStore } from './store.js';
import type { SnRecord } from './store.js';
import { registerTableApi } from './table-api.js';
import { formatSnDate, snError } from './util.js';
import { WebhookSender } from './webhook.js';
import type { WebhookTarget } from './webhook.js';

export type { Faults } from './faults.js';
export type { SimStats } from './stats.js';
export type { WebhookPayload, WebhookTarget } from './webhook.js';

export interface ServiceNowSimOptions {
  /** Basic auth accounts; default [{username:'integration', password:'integration-pass'}]. */
  users?: BasicUser[];
  /** OAuth clients; default [{clientId:'feedback-client', clientSecret:'feedback-secret'}]. */
  oauthClients?: OAuthClient[];
  /** Access token lifetime (expires_in); default 1800. */
  tokenTtlSeconds?: number;
  /** PRNG seed for faults; default 1. */
  seed?: number;
  /** Base URL used in Link headers, reference links and Location; default = the listening URL. */
  instanceUrl?: string;
}

/** Plus app, listen(), close(), url, setFaults(), getFaults() (see ../common/sim-api.ts). */
export interface ServiceNowSim extends SimServerApi, FaultControl<Faults> {
  createUser(u: { user_name: string; name: string; email: string; preferred_language?: string; time_zone?: string }): Record<string, string>;
  createGroup(g: { name: string; manager?: string; email?: string }): Record<string, string>;
  createIncident(i: {
    caller_id: string;
    short_description: string;
    category?: string;
    subcategory?: string;
    assignment_group?: string;
    assigned_to?: string;
    priority?: string;
  }): Record<string, string>;
  closeIncident(
    sysId: string,
    o?: { close_code?: string; close_notes?: string; resolved_by?: string; at?: Date; state?: '6' | '7' },
  ): Record<string, string>;
  reopenIncident(sysId: string, at?: Date): Record<string, string>;
  /** Gives a sys_user (by user_name) a role such as itil (creating the role record if needed). */
  grantRole(userName: string, role: string): void;
  /** Copies of the raw stored records (every value a string). Unknown table -> []. */
  table(name: string): Record<string, string>[];
  hasTable(name: string): boolean;
  stats(): SimStats;
  resetStats(): void;
  webhook: { target: null | WebhookTarget; flush(): Promise<void> };
}

const SYSTEM_USER = 'system';

export function createServiceNowSim(opts: ServiceNowSimOptions = {}): ServiceNowSim {
  const store = new SnStore();
  const auth = new AuthService(
    opts.users ?? [{ username: 'integration', password: 'integration-pass' }],
    opts.oauthClients ?? [{ clientId: 'feedback-client', clientSecret: 'feedback-secret' }],
    opts.tokenTtlSeconds ?? 1800,
  );
  const faults = createFaultInjector(opts.seed ?? 1);
  const stats = new StatsRecorder();
  const webhook = new WebhookSender(stats);

  const instanceUrl = (req: FastifyRequest): string =>
    (opts.instanceUrl ?? (server.url || `${req.protocol}://${req.host}`)).replace(/\/+$/, '');

  const fireWebhook = (rec: SnRecord): void =>
    webhook.send({
      table: 'incident',
      sys_id: rec.sys_id ?? '',
      number: rec.number ?? '',
      state: rec.state ?? '',
      sys_updated_on: rec.sys_updated_on ?? '',
    });

  const app = createSimApp({ faults, stats, errorBody: (message) => snError(message, null) });
  const server = new SimListener(app);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path.startsWith('/api/')) {
      return reply.code(400).send(snError(`Requested URI does not represent any resource: ${path}`, null));
    }
    return reply.code(404).send({ error: `Not found: ${req.method} ${path}` });
  });

  registerOAuthRoute(app, auth);
  registerTableApi(app, {
    store,
    auth,
    instanceUrl,
    onWrite(table, before, after) {
      // The customer's Business Rule: "after update, State changes to Resolved/Closed".
      if (table === 'incident' && before && before.state !== after.state && (after.state === '6' || after.state === '7')) {
        fireWebhook(after);
      }
    },
  });

  const mustGetIncident = (sysId: string): SnRecord => {
    const rec = store.get('incident', sysId);
    if (!rec) throw new Error(`No incident with sys_id ${sysId}`);
    return rec;
  };

  const defined = (o: Record<string, string | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));

  const sim: ServiceNowSim = {
    app,
    get url() {
      return server.url;
    },
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(),
    setFaults: (f) => faults.set(f),
    getFaults: () => faults.get(),
    createUser(u) {
      const [first, ...rest] = u.name.split(' ');
      const rec = store.insert(
        'sys_user',
        {
          user_name: u.user_name,
          name: u.name,
          first_name: first ?? '',
          last_name: rest.join(' '),
          email: u.email,
          preferred_language: u.preferred_language ?? 'en',
          time_zone: u.time_zone ?? '',
          active: 'true',
        },
        { user: SYSTEM_USER },
      );
      return { ...rec };
    },
    createGroup(g) {
      return { ...store.insert('sys_user_group', defined({ name: g.name, manager: g.manager, email: g.email, active: 'true' }), { user: SYSTEM_USER }) };
    },
    createIncident(i) {
      // Self-service: the caller opens the incident, so opened_by/sys_created_by are the caller when known.
      const callerId = store.resolveReference('sys_user', i.caller_id);
      const caller = store.get('sys_user', callerId);
      const rec = store.insert('incident', defined({ ...i, contact_type: 'self-service' }), { user: caller?.user_name || SYSTEM_USER });
      return { ...rec };
    },
    closeIncident(sysId, o = {}) {
      const cur = mustGetIncident(sysId);
      const at = o.at ?? new Date();
      const when = formatSnDate(at);
      const state = o.state ?? '7';
      const resolvedBy = o.resolved_by !== undefined ? store.resolveReference('sys_user', o.resolved_by) : cur.resolved_by || cur.assigned_to || '';
      const values: Record<string, string> = {
        state,
        incident_state: state,
        resolved_at: when,
        resolved_by: resolvedBy,
        close_code: o.close_code ?? (cur.close_code || 'Solved (Permanently)'),
        close_notes: o.close_notes ?? (cur.close_notes || 'Resolved by the simulator'),
        closed_at: state === '7' ? when : '',
        closed_by: state === '7' ? resolvedBy : '',
        active: state === '7' ? 'false' : 'true',
      };
      const rec = store.setFields('incident', sysId, values, { user: SYSTEM_USER, now: at })!;
      fireWebhook(rec);
      return { ...rec };
    },
    reopenIncident(sysId, at) {
      mustGetIncident(sysId);
      const rec = store.setFields(
        'incident',
        sysId,
        { state: '2', incident_state: '2', resolved_at: '', resolved_by: '', closed_at: '', closed_by: '', active: 'true' },
        { user: SYSTEM_USER, now: at ?? new Date() },
      )!;
      return { ...rec };
    },
    grantRole(userName, role) {
      const user = store.rows('sys_user').find((u) => u.user_name === userName);
      if (!user) throw new Error(`No sys_user ${userName}`);
      const roleRec = store.rows('sys_user_role').find((r) => r.name === role) ?? store.insert('sys_user_role', { name: role }, { user: SYSTEM_USER });
      store.insert('sys_user_has_role', { user: user.sys_id!, role: roleRec.sys_id!, state: 'active', inherited: 'false' }, { user: SYSTEM_USER });
    },
    table(name) {
      return store.rows(name).map((r) => ({ ...r }));
    },
    hasTable(name) {
      return store.hasTable(name);
    },
    stats() {
      return {
        requests: stats.requests,
        byRoute: { ...stats.byRoute },
        status: { ...stats.status },
        rateLimitViolations: faults.violations,
        log: stats.log.map((l) => ({ ...l })),
        tokensIssued: { ...auth.issued },
        webhooks: { ...stats.webhooks },
      };
    },
    resetStats() {
      stats.reset();
      faults.reset();
      auth.resetCounters();
    },
    webhook: {
      get target() {
        return webhook.target;
      },
      set target(t: null | WebhookTarget) {
        webhook.target = t;
      },
      flush: () => webhook.flush(),
    },
  };

  registerControlApi(app, sim);
  return sim;
}
