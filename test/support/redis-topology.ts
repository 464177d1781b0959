import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real Redis topologies on local ports for the tests (and by hand: `npx tsx test/support/redis-topology.ts
 * cluster|sentinel` prints the REDIS_URL and runs until Ctrl+C): a 3-master/3-replica Redis Cluster and a
 * Sentinel set (1 master, 2 replicas, 3 sentinels), each redis-server a child process in a temp folder,
 * all stopped and the folder removed by `stop()`. Data ports are taken from 17000–17999; a cluster node's
 * bus port is its port + 10000 (27000–27999).
 */
export interface RedisNode {
  port: number;
  child: ChildProcess;
  /** How it was started (to start it again on the same port). */
  args: string[];
  head: string[];
}

export interface LocalTopology {
  url: string;
  dir: string;
  nodes: RedisNode[];
  /** SIGKILLs the redis-server on `port` (a crash, not a shutdown). */
  kill(port: number): void;
  /** Starts a killed node again on its port, with its data gone (no persistence). */
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();
const dirs = new Set<string>();
// A test (or script) that dies before stop() must not leave servers or folders behind.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 && spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** One plain redis-server. */
export async function startLocalRedis(): Promise<LocalTopology> {
  return withPorts(1, false, async ([port], dir) => {
    const node = await startServer(dir, port!, []);
    return topology(`redis://${HOST}:${port}`, dir, [node]);
  });
}

/** A 3-master / 3-replica cluster (cluster-node-timeout 2 s, so a dead master's replica takes over in a few seconds). */
export async function startLocalCluster(opts: { nodeTimeoutMs?: number } = {}): Promise<LocalTopology> {
  return withPorts(6, true, async (ports, dir) => {
    const nodes: RedisNode[] = [];
    try {
      for (const port of ports) {
        nodes.push(
          await startServer(dir, port, [
            '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 2000),
            // A replica may take over however long its link to the master was down (tests kill masters at will).
            '--cluster-replica-validity-factor', '0',
          ]),
        );
      }
      const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
      await until('cluster state ok on every node', async () => {
        for (const p of ports) if (!/cluster_state:ok/.test(cli(p, 'cluster', 'info'))) return false;
        return true;
      });
      return topology(`redis+cluster://${ports.slice(0, 3).map((p) => `${HOST}:${p}`).join(',')}`, dir, nodes);
    } catch (e) {
      await stopNodes(nodes);
      throw e;
    }
  });
}

/** One master and two replicas watched by three sentinels (quorum 2, down after 1 s). */
export async function startLocalSentinel(opts: { masterName?: string } = {}): Promise<LocalTopology> {
  const name = opts.masterName ?? 'fbmaster';
  return withPorts(6, false, async (ports, dir) => {
    const [master, r1, r2, ...sentinelPorts] = ports as [number, number, number, number, number, number];
    const nodes: RedisNode[] = [];
    try {
      nodes.push(await startServer(dir, master, []));
      for (const r of [r1, r2]) nodes.push(await startServer(dir, r, ['--replicaof', HOST, String(master)]));
      await until('replicas in sync', () => /connected_slaves:2/.test(cli(master, 'info', 'replication')));
      for (const p of sentinelPorts) {
        const conf = join(dir, `sentinel-${p}.conf`);
        writeFileSync(
          conf,
          [`port ${p}`, `bind ${HOST}`, `dir ${dir}`, `sentinel monitor ${name} ${HOST} ${master} 2`, `sentinel down-after-milliseconds ${name} 1000`, `sentinel failover-timeout ${name} 10000`, `sentinel parallel-syncs ${name} 1`, ''].join('\n'),
        );
        nodes.push(await startServer(dir, p, [], [conf, '--sentinel']));
      }
      await until('sentinels see each other and the replicas', () =>
        sentinelPorts.every((p) => {
          const info = cli(p, 'sentinel', 'master', name);
          return /\bnum-other-sentinels\n2\b/.test(info) && /\bnum-slaves\n2\b/.test(info);
        }),
      );
      return topology(`redis+sentinel://${sentinelPorts.map((p) => `${HOST}:${p}`).join(',')}/${name}`, dir, nodes);
    } catch (e) {
      await stopNodes(nodes);
      throw e;
    }
  });
}

/** The port of the master that serves `slot` now (asks any live node). */
export function clusterMasterForSlot(topology: LocalTopology, slot: number): number {
  for (const n of topology.nodes) {
    if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
    const out = cli(n.port, 'cluster', 'slots');
    if (!out) continue;
    // Flat output: start, end, then per node: host, port, id (master first).
    const lines = out.split('\n').map((s) => s.trim());
    for (let i = 0; i + 4 < lines.length; i++) {
      const [start, end, host, port] = [Number(lines[i]), Number(lines[i + 1]), lines[i + 2], Number(lines[i + 3])];
      if (Number.isInteger(start) && Number.isInteger(end) && host === HOST && start <= slot && slot <= end && Number.isInteger(port) && port > 0) return port;
    }
  }
  throw new Error(`no live node knows who serves slot ${slot}`);
}

export function clusterKeySlot(topology: LocalTopology, key: string): number {
  const n = topology.nodes.find((x) => x.child.exitCode === null && x.child.signalCode === null)!;
  return Number(cli(n.port, 'cluster', 'keyslot', key).trim());
}

/** The port of the Sentinel set's current master, as the sentinels report it. */
export function sentinelMaster(topology: LocalTopology, name = 'fbmaster'): number {
  for (const n of topology.nodes) {
    if (n.child.exitCode !== null || n.child.signalCode !== null) continue;
    const out = cli(n.port, 'sentinel', 'get-master-addr-by-name', name).trim().split('\n');
    if (out.length === 2 && Number(out[1])) return Number(out[1]);
  }
  throw new Error('no sentinel answered');
}

export function cli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout : '';
}

function topology(url: string, dir: string, nodes: RedisNode[]): LocalTopology {
  return {
    url,
    dir,
    nodes,
    kill(port) {
      const n = nodes.find((x) => x.port === port);
      if (!n) throw new Error(`no node on port ${port}`);
      n.child.kill('SIGKILL');
    },
    async restart(port) {
      const i = nodes.findIndex((x) => x.port === port);
      const n = nodes[i];
      if (!n) throw new Error(`no node on port ${port}`);
      if (n.child.exitCode === null && n.child.signalCode === null) throw new Error(`node ${port} is running`);
      nodes[i] = await startServer(dir, port, n.args, n.head);
    },
    async stop() {
      await stopNodes(nodes);
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

async function stopNodes(nodes: RedisNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) return;
      const exited = new Promise((r) => n.child.once('exit', r));
      n.child.kill('SIGKILL');
      await exited;
    }),
  );
}

async function startServer(dir: string, port: number, args: string[], head: string[] = []): Promise<RedisNode> {
  const child = spawn('redis-server', [...head, '--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no', '--logfile', join(dir, `redis-${port}.log`), ...args], { stdio: 'ignore' });
  live.add(child);
  child.once('exit', () => live.delete(child));
  await until(`redis-server on port ${port}`, () => {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (code ${child.exitCode}); see ${dir}`);
    return /PONG/.test(cli(port, 'ping'));
  });
  return { port, child, args, head };
}

/** Finds `count` consecutive free ports in 17000–17999 (and their bus ports +10000 for a cluster), retrying on a race. */
async function withPorts<T>(count: number, busPorts: boolean, fn: (ports: number[], dir: string) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    const base = 17000 + Math.floor(Math.random() * (1000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const free = await Promise.all(ports.flatMap((p) => (busPorts ? [p, p + 10000] : [p])).map(portFree));
    if (!free.every(Boolean)) continue;
    const dir = mkdtempSync(join(tmpdir(), 'fb-redis-'));
    dirs.add(dir);
    try {
      return await fn(ports, dir);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
      last = e;
    }
  }
  throw new Error(`could not start local Redis servers: ${(last as Error)?.message ?? 'no free ports'}`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// By hand: prints the REDIS_URL, keeps the servers up until Ctrl+C, then removes everything.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const kind = process.argv[2];
  if (kind !== 'cluster' && kind !== 'sentinel') {
    process.stderr.write('usage: npx tsx test/support/redis-topology.ts cluster|sentinel\n');
    process.exit(2);
  }
  const t = await (kind === 'cluster' ? startLocalCluster() : startLocalSentinel());
  process.stdout.write(`REDIS_URL=${t.url}\n(ports ${t.nodes.map((n) => n.port).join(', ')}; Ctrl+C stops them)\n`);
  const stop = () => void t.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
