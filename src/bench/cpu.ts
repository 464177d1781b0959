import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/** CPU seconds used so far by the Postgres backends serving this database (Linux /proc), by pid. */
export async function postgresCpuSeconds(db: Db, excludeApplication: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> ${excludeApplication} AND pid <> pg_backend_pid()`.execute(db);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = await processCpuSeconds(pid);
    if (seconds !== null) out.set(pid, seconds);
  }
  return out;
}

/** CPU used between two readings; a backend that appeared in between counts from zero. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null; // not Linux, or gone
  }
}

/**
 * CPU seconds the whole machine has been busy (every core, every process) and those the hypervisor gave
 * to other machines while ours wanted them (steal), from Linux /proc/stat; null elsewhere.
 */
export async function machineCpuSeconds(): Promise<{ busy: number; steal: number } | null> {
  try {
    const [, ...f] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (in USER_HZ ticks).
    const n = f.map(Number);
    return { busy: (n[0]! + n[1]! + n[2]! + n[5]! + n[6]!) / 100, steal: (n[7] ?? 0) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds the Redis server has used so far (INFO cpu: every client's commands, not only ours). */
export async function redisCpuSeconds(redis: { info(section: string): Promise<string> }): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}
