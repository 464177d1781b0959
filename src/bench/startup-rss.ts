import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dropDatabase } from '../db/admin.js';
import { createDb } from '../db/client.js';
import { ensureDatabase, migrateToLatest } from '../db/migrator.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * RSS of a freshly started service process per role, as deployed: the compiled build (`npm run build`,
 * which this runs first) under `node dist/main.js serve`, with the Dockerfile's V8 flags. Read once the
 * process has said "service started" and had `settleMs` to finish starting. Each starts on an empty,
 * already migrated database of its own (`env.DATABASE_URL`, dropped afterwards), so that nothing is
 * polled or processed meanwhile.
 */
export async function startupRssMb(env: Record<string, string> & { DATABASE_URL: string }, roles: string[], opts: { v8Flags?: string[]; settleMs?: number } = {}): Promise<Record<string, number>> {
  // A fresh database the caller made (run-database.ts); this run drops it at the end.
  await ensureDatabase(env.DATABASE_URL);
  const { db } = createDb(env.DATABASE_URL, 1);
  await migrateToLatest(db);
  await db.destroy();
  execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const out: Record<string, number> = {};
  try {
    for (const role of roles) out[role] = await oneStart(env, role, opts.v8Flags ?? [], opts.settleMs ?? 2000);
  } finally {
    await dropDatabase(env.DATABASE_URL);
  }
  return out;
}

function oneStart(env: Record<string, string>, roles: string, v8Flags: string[], settleMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...v8Flags, 'dist/main.js', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, ...env, ROLES: roles, LOG_LEVEL: 'info', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    const timeout = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${roles}: no "service started" within 60 s`))), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (!buffered.includes('"service started"')) return;
      buffered = '';
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      setTimeout(() => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
        clearTimeout(timeout);
        child.removeListener('exit', early);
        child.once('exit', () => resolve(kb / 1024));
        child.kill('SIGTERM');
      }, settleMs);
    });
    const early = (code: number | null) => reject(new Error(`${roles}: exited (code ${code}) before it started`));
    child.once('exit', early);
  });
}
