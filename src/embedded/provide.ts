import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probePostgres, probeRedis } from '../startup/probe.js';
import { printableUrl } from '../startup/reachable.js';
import { StartupError } from '../startup/startup-error.js';
import { dockerReachable, startPostgresContainer, startRedisContainer } from './docker-containers.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import type { Lifecycle } from './lifecycle.js';
import { NoRedisServer, startPrivateRedis } from './private-redis.js';

/** The project's own data folder (git-ignored), from src/ and from dist/ alike. */
export const PROJECT_DATA_DIR = fileURLToPath(new URL('../../.data/', import.meta.url));

export interface ProvideOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Start our own servers even if the given ones answer; names what asked for it (`--embedded`). */
  forcedBy?: string;
  /** Postgres: the embedded one first (demo), or a container first when Docker answers (tests). */
  prefer: 'embedded' | 'docker';
  /** Data folder under the project (`.data`): `postgres/` and `redis/` go in it. */
  dataDir: string;
  /** Tests: a cluster that needs no durability. */
  throwaway?: boolean;
  say: (line: string) => void;
  lifecycle: Lifecycle;
  /** The redis-server command (default: `redis-server` from the PATH). */
  redisServer?: string;
}

/** Thrown when Redis is needed, none answers, and none can be started here. */
export class NoRedisAvailable extends StartupError {
  constructor(redisUrl: string) {
    super(
      `nothing answers at REDIS_URL=${printableUrl(redisUrl)}, and no Redis can be started here: install redis-server (apt install redis-server, brew install redis), start Docker (a Redis container is then started for you), or set REDIS_URL to a running Redis.`,
    );
  }
}

/**
 * The Postgres and Redis a demo or test run uses: the given ones when they answer, otherwise (or
 * with `force`) servers of our own, each registered on the lifecycle to be stopped at the end.
 * A server that answers but refuses (a wrong password) is kept: the caller's check reports it.
 */
export async function provideDependencies(o: ProvideOptions): Promise<{ databaseUrl: string; redisUrl: string }> {
  const [pg, redis] = o.forcedBy ? [null, null] : await Promise.all([probePostgres(o.databaseUrl, 3000), probeRedis(o.redisUrl, 3000)]);
  const why = (variable: string, url: string) => (o.forcedBy ? `${o.forcedBy} given` : `nothing answers at ${variable}=${printableUrl(url)}`);

  let databaseUrl = o.databaseUrl;
  if (!pg || (!pg.ok && !pg.answered)) {
    o.lifecycle.check();
    const useDocker = o.prefer === 'docker' && (await dockerReachable());
    const dir = path.join(o.dataDir, 'postgres');
    const started = useDocker ? await startPostgresContainer() : await startEmbeddedPostgres({ dir, throwaway: o.throwaway, say: o.say });
    o.lifecycle.add(useDocker ? 'the Postgres container' : 'the embedded Postgres', started.stop, 25_000);
    databaseUrl = sameDatabase(started.url, o.databaseUrl);
    const where = useDocker ? 'a Postgres container (testcontainers)' : `an embedded Postgres (data in ${path.relative(process.cwd(), dir) || dir})`;
    o.say(`Postgres: ${why('DATABASE_URL', o.databaseUrl)}; started ${where} at ${printableUrl(databaseUrl)}`);
  }

  let redisUrl = o.redisUrl;
  if (!redis || (!redis.ok && !redis.answered)) {
    o.lifecycle.check();
    const started = await startRedis(o);
    o.lifecycle.add(started.what, started.stop);
    redisUrl = started.url;
    o.say(`Redis: ${why('REDIS_URL', o.redisUrl)}; started ${started.what} at ${redisUrl}`);
  }
  return { databaseUrl, redisUrl };
}

async function startRedis(o: ProvideOptions): Promise<{ url: string; stop: () => Promise<void>; what: string }> {
  const docker = await dockerReachable();
  if (o.prefer === 'docker' && docker) return { ...(await startRedisContainer()), what: 'a Redis container (testcontainers)' };
  try {
    return { ...(await startPrivateRedis({ dir: path.join(o.dataDir, 'redis'), say: o.say, command: o.redisServer })), what: 'a private redis-server' };
  } catch (e) {
    if (!(e instanceof NoRedisServer)) throw e;
  }
  if (docker) return { ...(await startRedisContainer()), what: 'a Redis container (testcontainers)' };
  throw new NoRedisAvailable(o.redisUrl);
}

/** The started server's address with the database named in the configured URL (the demo derives its own from it). */
function sameDatabase(startedUrl: string, configuredUrl: string): string {
  const url = new URL(startedUrl);
  try {
    const name = new URL(configuredUrl).pathname;
    if (name && name !== '/') url.pathname = name;
  } catch {
    // Unset or not a URL: keep the maintenance database.
  }
  return url.toString();
}
