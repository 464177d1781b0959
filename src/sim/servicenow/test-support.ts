/** Helpers for the ServiceNow simulator's own tests (the ITSM-neutral ones are in ../common/test-support.ts). */
import { basicAuth, injectClient } from '../common/test-support.js';
import type { InjectClient } from '../common/test-support.js';
import { createServiceNowSim } from './sim.js';
import type { ServiceNowSim, ServiceNowSimOptions } from './sim.js';

export const BASIC = basicAuth('integration', 'integration-pass');

export interface Fixture extends InjectClient {
  sim: ServiceNowSim;
}

export function fixture(opts: ServiceNowSimOptions = {}): Fixture {
  const sim = createServiceNowSim({ instanceUrl: 'https://dev.service-now.test', ...opts });
  return { sim, ...injectClient(sim.app, BASIC) };
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
