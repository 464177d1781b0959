/** Shared helpers for the simulator's own tests. */
import { createServiceNowSim } from './sim.js';
import type { ServiceNowSim, ServiceNowSimOptions } from './sim.js';

export const BASIC = `Basic ${Buffer.from('integration:integration-pass').toString('base64')}`;

export interface Fixture {
  sim: ServiceNowSim;
  get(url: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
  send(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
}

export function fixture(opts: ServiceNowSimOptions = {}): Fixture {
  const sim = createServiceNowSim({ instanceUrl: 'https://dev.service-now.test', ...opts });
  const wrap = (r: { statusCode: number; headers: Record<string, unknown>; body: string }) => ({
    status: r.statusCode,
    headers: r.headers,
    body: r.body ? (JSON.parse(r.body) as unknown) : undefined,
  });
  return {
    sim,
    async get(url, headers = {}) {
      return wrap(await sim.app.inject({ method: 'GET', url, headers: { authorization: BASIC, accept: 'application/json', ...headers } }));
    },
    async send(method, url, payload, headers = {}) {
      const h: Record<string, string> = { authorization: BASIC, accept: 'application/json', ...headers };
      if (payload !== undefined && typeof payload !== 'string') h['content-type'] = 'application/json';
      const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
      return wrap(await sim.app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: body } : {}) }));
    },
  };
}

/** A user, a group and three incidents created in order. */
export function seed(sim: ServiceNowSim) {
  const abel = sim.createUser({ user_name: 'abel.tuter', name: 'Abel Tuter', email: 'abel@example.com', time_zone: 'Europe/Paris', preferred_language: 'fr' });
  const beth = sim.createUser({ user_name: 'beth.anglin', name: 'Beth Anglin', email: 'beth@example.com' });
  const desk = sim.createGroup({ name: 'Service Desk', manager: beth.sys_id! });
  const incidents = [1, 2, 3].map((n) =>
    sim.createIncident({ caller_id: abel.sys_id!, short_description: `Printer ${n} jammed`, assignment_group: desk.sys_id!, assigned_to: beth.sys_id!, category: 'hardware' }),
  );
  return { abel, beth, desk, incidents };
}
