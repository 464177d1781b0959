import { defineConfig } from 'vitest/config';

// Integration tests share one Postgres server and Redis; each test file creates its own database and
// key prefix (see test/support/env.ts), so files may run in parallel. The global setup finds them
// (TEST_DATABASE_URL / TEST_REDIS_URL, or the local ones) or starts its own on a fresh machine.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
