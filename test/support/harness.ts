import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import { createServiceNowSim, type ServiceNowSim } from '../../src/sim/servicenow/sim.js';
import { createTestEnv, type TestEnv } from './env.js';

export const WEBHOOK_SECRET = 'push-secret-0123456789';

export interface Harness {
  te: TestEnv;
  sim: ServiceNowSim;
  service: RunningService;
  /** Calls the service's HTTP API in-process (admin token added unless `token` is given). */
  /** Every log line the service wrote (when started with captureLogs). */
  logs: string[];
  api(method: string, url: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string>; rawBody?: string }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startHarness(envOverrides: Record<string, string> = {}, opts: { captureLogs?: boolean } = {}): Promise<Harness> {
  const sim = createServiceNowSim();
  await sim.listen(0, '127.0.0.1');
  const te = await createTestEnv(opts.captureLogs ? { LOG_LEVEL: 'debug', ...envOverrides } : envOverrides);
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const service = await startService(te.config, opts.captureLogs ? createLogger(te.config.LOG_LEVEL, sink) : createLogger(te.config.LOG_LEVEL));
  const app = service.app!;
  return {
    te,
    sim,
    service,
    logs,
    async api(method, url, body, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? te.config.ADMIN_TOKEN : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      const payload = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.inject({ method: method as 'GET', url, headers, payload });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body: parsed };
    },
    async close() {
      await service.stop();
      await sim.close();
      await te.cleanup();
    },
  };
}

export function snowConnector(sim: ServiceNowSim, overrides: Record<string, unknown> = {}) {
  return {
    id: 'snow',
    name: 'ServiceNow (simulated)',
    kind: 'servicenow',
    baseUrl: sim.url,
    auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
    webhookSecret: WEBHOOK_SECRET,
    // Tests trigger polls themselves; a long interval keeps the scheduler out of the way.
    intake: { mode: 'both', pollIntervalSeconds: 3600, pageSize: 200, overlapSeconds: 300 },
    ...overrides,
  };
}

/** Creates `people` callers and `count` incidents spread over them, closes them all in the simulator. */
export function seedClosedIncidents(sim: ServiceNowSim, count: number, people: number, opts: { resolvedBySelf?: boolean } = {}) {
  const users = Array.from({ length: people }, (_, i) =>
    sim.createUser({ user_name: `user${i}`, name: `User ${i}`, email: `User${i}@Example.com`, preferred_language: i % 2 ? 'de' : 'en', time_zone: 'Europe/Berlin' }),
  );
  const agent = sim.createUser({ user_name: 'agent', name: 'Agent Smith', email: 'agent@it.example.com' });
  const group = sim.createGroup({ name: 'Service Desk' });
  const incidents = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const caller = users[i % people]!;
    const inc = sim.createIncident({ caller_id: caller.sys_id!, short_description: `Printer ${i} is on fire`, category: 'hardware', assignment_group: group.sys_id!, assigned_to: agent.sys_id!, priority: '3' });
    // Spread closures over the last hour so that the poll pages through distinct update times.
    const closed = sim.closeIncident(inc.sys_id!, { close_code: 'Solved (Permanently)', resolved_by: opts.resolvedBySelf ? caller.sys_id! : agent.sys_id!, at: new Date(now - (count - i) * 1000) });
    incidents.push(closed);
  }
  return { users, agent, group, incidents };
}
