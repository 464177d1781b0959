import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { alive, ownerAlive } from './folder-owner.js';

/**
 * Stops a server named in a pid file (the first line holds its pid) that an earlier run, killed
 * before it could stop it, left running. Only a process whose command line still names `program` is
 * signalled: a recycled pid must never be killed. Returns the pid it signalled.
 */
export function stopLeftoverServer(pidFile: string, program: string, signal: NodeJS.Signals): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]!.trim());
  const cmdline = `/proc/${pid}/cmdline`;
  if (!Number.isInteger(pid) || pid <= 1 || !existsSync(cmdline) || !readFileSync(cmdline, 'utf8').includes(program)) return null;
  try {
    process.kill(pid, signal);
    return pid;
  } catch {
    return null; // gone in the meantime
  }
}

/**
 * Removes the per-run folders (`<prefix><pid>`) of test runs that died without their teardown,
 * stopping the Postgres and redis-server they left running.
 */
export async function sweepDeadRuns(dataDir: string, prefix: string): Promise<void> {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir)) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(dataDir, name);
    if (ownerAlive(path.join(dir, 'postgres')) || ownerAlive(path.join(dir, 'redis'))) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) continue;
    stopLeftoverServer(path.join(dir, 'postgres', 'data', 'postmaster.pid'), 'postgres', 'SIGINT');
    stopLeftoverServer(path.join(dir, 'redis', 'redis.pid'), 'redis-server', 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}
