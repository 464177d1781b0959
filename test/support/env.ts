import { randomBytes } from 'node:crypto';
import { dropDatabase } from '../../src/db/admin.js';
import { RedisFactory, type RedisClient } from '../../src/redis/factory.js';
import { deleteKeys } from '../../src/redis/keys.js';
import type { Config } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/client.js';
import { ensureDatabase, migrateToLatest } from '../../src/db/migrator.js';
import { connectorDefinitionSchema } from '../../src/connectors/registry.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { ConnectorStore } from '../../src/store/connectors.js';

/**
 * Each test file gets its own database and Redis key prefix on the local servers (or the ones named by
 * TEST_DATABASE_URL / TEST_REDIS_URL), and removes them afterwards.
 */
export const PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnv {
  config: Config;
  db: Db;
  /** A client of this file's Redis (the factory's, so TEST_REDIS_URL may name a Sentinel set or a Cluster). */
  redis: RedisClient;
  prefix: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const suffix = randomBytes(5).toString('hex');
  const url = new URL(PG_BASE);
  url.pathname = `/fb_test_${suffix}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const prefix = `fbt${suffix}`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
    SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    RECONCILE_GRACE_SECONDS: '0',
    ITSM_MAX_ATTEMPTS: '8',
    MAIL_TRANSPORT: 'memory',
    BOT_MIN_SECONDS_AFTER_SEND: '0',
    // Every in-process request comes from one address; the rate-limit test sets its own limits.
    PAGE_RATE_LIMIT_PER_MINUTE: '100000',
    TOKEN_RATE_LIMIT_PER_MINUTE: '1000',
    METRICS_TOKEN: 'test-metrics-token-0123456789',
    ...overrides,
  };
  const config = loadConfig(env);
  const { db } = createDb(databaseUrl, 5);
  await migrateToLatest(db);
  const redis = new RedisFactory(env.REDIS_URL!).create({ kind: 'test', use: 'blocking' });
  return {
    config,
    db,
    redis,
    prefix,
    env,
    async cleanup() {
      await db.destroy();
      // Bounded: a test that leaves its Redis down (failover tests) must still drop its database.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([deleteKeys(redis, `${prefix}:*`).catch(() => 0), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      redis.disconnect();
      await dropDatabase(databaseUrl);
    },
  };
}

export { deleteKeys };

/** Stores a ServiceNow connector that is never called (for tests of the store and the stages' SQL). */
export async function saveOfflineConnector(te: TestEnv, id: string): Promise<void> {
  await new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY)).save(
    connectorDefinitionSchema.parse({ id, name: id, kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' } }),
  );
}

/** Polls `check` until it returns a truthy value (no fixed sleeps): fails with `what` after the timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
