import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sweepDeadRuns } from '../../src/embedded/leftovers.js';
import { Lifecycle } from '../../src/embedded/lifecycle.js';
import { PROJECT_DATA_DIR, provideDependencies } from '../../src/embedded/provide.js';

/**
 * Runs once before all test files (vitest globalSetup). The tests use the Postgres and Redis at
 * TEST_DATABASE_URL / TEST_REDIS_URL (default: the local ones). When nothing answers there — a fresh
 * machine — or TEST_EMBEDDED=1, it starts a Postgres and a Redis of its own: containers through
 * testcontainers when a Docker engine answers, else the embedded Postgres and a private
 * redis-server. The URLs reach the test workers through the environment (test/support/env.ts reads
 * them); everything started here is stopped after the last test file.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await sweepDeadRuns(PROJECT_DATA_DIR, 'test-');
  const lifecycle = new Lifecycle((line) => process.stderr.write(`${line}\n`));
  const dataDir = path.join(PROJECT_DATA_DIR, `test-${process.pid}`);
  const teardown = async () => {
    await lifecycle.stopAll();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const deps = await provideDependencies({
      databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      forcedBy: process.env.TEST_EMBEDDED === '1' ? 'TEST_EMBEDDED=1' : undefined,
      prefer: 'docker',
      dataDir,
      throwaway: true,
      say: (line) => process.stdout.write(`[tests] ${line}\n`),
      lifecycle,
    });
    process.env.TEST_DATABASE_URL = deps.databaseUrl;
    process.env.TEST_REDIS_URL = deps.redisUrl;
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
