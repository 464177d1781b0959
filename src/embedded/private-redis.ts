import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { probeRedis } from '../startup/probe.js';
import { spawnServer, waitUntilReady } from './child.js';
import { claimFolder } from './folder-owner.js';
import { stopLeftoverServer } from './leftovers.js';
import { freePort } from './ports.js';

export interface StartedRedis {
  url: string;
  stop(): Promise<void>;
}

/** Thrown when `redis-server` is not on the PATH (the caller then tries Docker). */
export class NoRedisServer extends Error {
  constructor() {
    super('redis-server is not on the PATH');
    this.name = 'NoRedisServer';
  }
}

/**
 * A private `redis-server` on a free port: bound to 127.0.0.1, nothing persisted, its pid file and
 * log in `dir`. BullMQ needs keys kept, so no eviction.
 */
export async function startPrivateRedis(opts: { dir: string; say: (line: string) => void; command?: string }): Promise<StartedRedis> {
  await mkdir(opts.dir, { recursive: true });
  const pidFile = path.join(opts.dir, 'redis.pid');
  const claim = claimFolder(opts.dir, 'the private redis-server');
  const leftover = stopLeftoverServer(pidFile, 'redis-server', 'SIGTERM');
  if (leftover) opts.say(`stopped a private redis-server left running by an earlier run (pid ${leftover})`);
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', opts.dir, '--pidfile', pidFile, '--daemonize', 'no'];
  const server = await spawnServer(opts.command ?? 'redis-server', args, { logFile: path.join(opts.dir, 'redis.log') }).catch((e: NodeJS.ErrnoException) => {
    claim.release();
    throw e.code === 'ENOENT' ? new NoRedisServer() : e;
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop('SIGTERM', 10_000);
    await rm(pidFile, { force: true });
    claim.release();
  };
  try {
    await waitUntilReady(server, 'the private redis-server', async () => (await probeRedis(url, 1000)).ok, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}
