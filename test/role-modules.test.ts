import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, waitFor, type TestEnv } from './support/env.js';
import { spawnMain } from './support/process.js';

/**
 * What a process loads at start is what its RSS at start is made of (issue 14: worker < 120 MB,
 * api < 150 MB). A worker that has not sent anything yet needs no HTTP server, no pages, no
 * dashboard, no CLI command and no digest code; everything else loads with its first use. The
 * process runs with a hook that logs every module it loads (test/support/module-log.mjs).
 */

/** Packages and folders a worker-only process must not load at start. */
const NOT_IN_A_WORKER = [
  /node_modules\/fastify\//,
  /node_modules\/@bull-board\//,
  /node_modules\/handlebars\//,
  /node_modules\/csv-parse\//,
  /node_modules\/@stdlib\//,
  /node_modules\/@aws-sdk\//,
  /node_modules\/nodemailer\//,
  /\/src\/http\//,
  /\/src\/console\//,
  /\/src\/analytics\/(dashboard|recovery|dimensions)/,
  /\/src\/digest\/(plan|send|schedule)\./,
  /\/src\/(targets|initiatives|feedback-import)\//,
];

describe('modules a role loads at start', () => {
  let te: TestEnv;
  let dir: string;
  beforeAll(async () => {
    te = await createTestEnv();
    dir = mkdtempSync(join(tmpdir(), 'fb-modules-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await te?.cleanup();
  });

  it('a worker loads the loop and nothing of the api, the CLI or the digests', async () => {
    const log = join(dir, 'worker.txt');
    const run = spawnMain(['serve'], { ...te.env, ROLES: 'worker', LOG_LEVEL: 'info', MAIL_TRANSPORT: 'ses', SES_REGION: 'eu-west-1', MODULE_LOG: log, NODE_OPTIONS: '--import ./test/support/module-log.mjs' });
    try {
      await waitFor('the worker to start', () => run.output().includes('"service started"'), 60_000);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // The hook saw the loop's own modules (so an empty list cannot pass).
    expect(loaded.some((u) => u.includes('/src/pipeline/processors.ts'))).toBe(true);
    expect(loaded.some((u) => /node_modules\/bullmq\//.test(u))).toBe(true);
    expect(loaded.filter((u) => NOT_IN_A_WORKER.some((p) => p.test(u)))).toEqual([]);
  }, 90_000);
});
