import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, MemoryPeaks, ToChild } from './child-protocol.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The parent's handle on the service child (see service-child.ts). */
export class ServiceProcess {
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ type: FromChild['type']; resolve: (m: FromChild) => void }> = [];
  private failed: Error | null = null;

  /** @param profileDir when set, the child writes a V8 CPU profile there (--cpu-prof). */
  /** @param countRoundTrips when set, the child counts its Postgres statements and Redis commands. */
  /** @param v8Flags the child's V8 flags as deployed (heap cap, semi-space: see v8-flags.ts). */
  /** @param inbox where survey-link paths of the emails it sends go (the customers' mailbox). */
  constructor(private readonly inbox: string[], profileDir?: string, countRoundTrips = false, v8Flags: string[] = []) {
    const execArgv = ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...v8Flags];
    const env = { ...process.env, ...(countRoundTrips ? { BENCH_ROUND_TRIPS: '1' } : {}) };
    this.child = fork(fileURLToPath(new URL('./service-child.ts', import.meta.url)), [], { cwd: ROOT, env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromChild) => this.receive(m));
    this.child.on('exit', (code) => {
      this.failed ??= new Error(`service process exited (code ${code})`);
      for (const w of this.waiting.splice(0)) w.resolve({ type: 'error', message: this.failed.message });
    });
  }

  async start(env: Record<string, string>, connector: Record<string, unknown>): Promise<string> {
    const m = await this.request({ type: 'start', env, connector }, 'ready');
    return (m as Extract<FromChild, { type: 'ready' }>).url;
  }

  poll(connectorId: string): void {
    this.post({ type: 'poll', connectorId });
  }

  async memory(): Promise<{ peakRssMb: number } & MemoryPeaks> {
    const m = (await this.request({ type: 'rss' }, 'rss')) as Extract<FromChild, { type: 'rss' }>;
    return { peakRssMb: m.peakMb, ...m.memory };
  }

  async cpuSeconds(): Promise<number> {
    return ((await this.request({ type: 'cpu' }, 'cpu')) as Extract<FromChild, { type: 'cpu' }>).seconds;
  }

  async roundTrips(): Promise<Extract<FromChild, { type: 'roundTrips' }>['counts']> {
    return ((await this.request({ type: 'roundTrips' }, 'roundTrips')) as Extract<FromChild, { type: 'roundTrips' }>).counts;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.post({ type: 'stop' });
    await exited;
  }

  private post(m: ToChild): void {
    if (this.failed) throw this.failed;
    this.child.send(m);
  }

  private async request(m: ToChild, reply: FromChild['type']): Promise<FromChild> {
    const answer = new Promise<FromChild>((resolve) => this.waiting.push({ type: reply, resolve }));
    this.post(m);
    const r = await answer;
    if (r.type === 'error') throw new Error(`service process: ${r.message}`);
    return r;
  }

  private receive(m: FromChild): void {
    if (m.type === 'mail') {
      for (const p of m.paths) this.inbox.push(p);
      return;
    }
    if (m.type === 'error') {
      this.failed = new Error(`service process: ${m.message}`);
      for (const w of this.waiting.splice(0)) w.resolve(m);
      return;
    }
    const i = this.waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(m);
  }
}
