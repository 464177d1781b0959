import type { MemoryPeaks } from './child-protocol.js';
import { ServiceProcess } from './service-process.js';

/**
 * How the service under test is deployed: `split` is docker-compose's shape (one process with the api
 * role, one with the worker role, so the two can use both cores); `single` is everything in one process.
 */
export type Layout = 'split' | 'single';
const ROLES: Record<Layout, string[]> = { split: ['api', 'worker'], single: ['api,worker'] };

export interface ProcessMemory extends MemoryPeaks {
  roles: string;
  peakRssMb: number;
}
type Counts = NonNullable<Awaited<ReturnType<ServiceProcess['roundTrips']>>>;

/** The bench's handle on every process of the service (see service-process.ts), added up where it counts. */
export class Deployment {
  /** Survey-link paths of the emails sent and not yet taken by the customers. */
  readonly inbox: string[] = [];
  private readonly processes: Array<{ roles: string; p: ServiceProcess }>;

  constructor(readonly layout: Layout, opts: { profileDir?: string; countRoundTrips?: boolean; v8Flags?: string[] }) {
    this.processes = ROLES[layout].map((roles) => ({ roles, p: new ServiceProcess(this.inbox, opts.profileDir, opts.countRoundTrips, opts.v8Flags) }));
  }

  /** Starts the processes one after the other (the first applies the migrations); returns the api's URL. */
  async start(env: Record<string, string>, connector: Record<string, unknown>): Promise<string> {
    let url = '';
    for (const { roles, p } of this.processes) {
      const u = await p.start({ ...env, ROLES: roles }, connector);
      if (roles.includes('api')) url = u;
    }
    return url;
  }

  poll(connectorId: string): void {
    this.processes[0]!.p.poll(connectorId);
  }

  /** CPU seconds used so far by each process, by its roles. */
  async cpuSeconds(): Promise<Record<string, number>> {
    return Object.fromEntries(await Promise.all(this.processes.map(async ({ roles, p }) => [roles, await p.cpuSeconds()] as const)));
  }

  async roundTrips(): Promise<Counts | null> {
    const all = await Promise.all(this.processes.map(({ p }) => p.roundTrips()));
    if (all.some((c) => !c)) return null;
    const sum: Counts = { postgres: {}, redis: {} };
    for (const c of all as Counts[]) {
      for (const kind of ['postgres', 'redis'] as const) for (const [k, v] of Object.entries(c[kind])) sum[kind][k] = (sum[kind][k] ?? 0) + v;
    }
    return sum;
  }

  async memory(): Promise<ProcessMemory[]> {
    return Promise.all(this.processes.map(async ({ roles, p }) => ({ roles, ...(await p.memory()) })));
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map(({ p }) => p.stop()));
  }
}
