/**
 * Both simulators described the same way, for the tests that check shared behaviour against each
 * (describe.each(SIMS)). What differs is only which URL is a plain authenticated API read.
 */
import { BASIC as JIRA_BASIC, fixture as jiraFixture } from '../jira/test-support.js';
import { createJiraSim } from '../jira/sim.js';
import { BASIC as SN_BASIC, fixture as snFixture } from '../servicenow/test-support.js';
import { createServiceNowSim } from '../servicenow/sim.js';
import type { CommonFaults } from './faults.js';
import type { FaultControl, SimServerApi } from './sim-api.js';
import type { InjectClient } from './test-support.js';

/** The part of either simulator's public API the shared tests use. */
export interface AnySim extends SimServerApi, FaultControl<CommonFaults> {
  stats(): { requests: number; byRoute: Record<string, number>; status: Record<string, number>; rateLimitViolations: number; log: unknown[] };
}

export interface SimTarget {
  itsm: string;
  /** A sim with app.inject helpers (not listening). */
  fixture(seed?: number): InjectClient & { sim: AnySim };
  /** A sim to listen() on. */
  create(): AnySim;
  /** An authenticated read that answers 200 on an empty sim. */
  probe: string;
  authorization: string;
}

const seeded = (seed?: number) => (seed === undefined ? {} : { seed });

export const SIMS: SimTarget[] = [
  { itsm: 'ServiceNow', fixture: (seed) => snFixture(seeded(seed)), create: () => createServiceNowSim(), probe: '/api/now/table/incident', authorization: SN_BASIC },
  { itsm: 'Jira', fixture: (seed) => jiraFixture(seeded(seed)), create: () => createJiraSim(), probe: '/rest/api/3/myself', authorization: JIRA_BASIC },
];
