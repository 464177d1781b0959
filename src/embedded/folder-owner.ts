import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Marks a data folder as used by this process (`owner.pid`). A folder whose owner is still alive is
 * refused (two demos must not share one Postgres cluster); one whose owner died without cleaning up
 * (SIGKILL) may hold a server still running, which the caller then stops.
 */
export function claimFolder(dir: string, what: string): { release(): void } {
  const owner = ownerOf(dir);
  if (owner !== null && owner !== process.pid && alive(owner)) {
    throw new Error(`${what} in ${dir} is in use by process ${owner}; stop that one first`);
  }
  const file = path.join(dir, 'owner.pid');
  writeFileSync(file, `${process.pid}\n`);
  return { release: () => rmSync(file, { force: true }) };
}

/** Whether another live process holds the folder. */
export function ownerAlive(dir: string): boolean {
  const owner = ownerOf(dir);
  return owner !== null && owner !== process.pid && alive(owner);
}

function ownerOf(dir: string): number | null {
  const file = path.join(dir, 'owner.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
