import { defineConfig } from 'vitest/config';

// Integration tests share one local Postgres server and Redis; each test file creates its own
// database and key prefix (see test/support/env.ts), so files may run in parallel.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
