import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceNowSim, type ServiceNowSim } from '../src/sim/servicenow/sim.js';
import { createTestEnv, waitFor, type TestEnv } from './support/env.js';
import { seedClosedIncidents, snowConnector } from './support/harness.js';
import { spawnMain, type Spawned } from './support/process.js';

/** .env.example as a user would copy it to .env (read by the parser process.loadEnvFile uses: quotes removed). */
function envExample(): Record<string, string> {
  return parseEnv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8')) as Record<string, string>;
}

async function startedUrl(p: Spawned): Promise<string> {
  return waitFor('the service to start', () => /"msg":"service started"/.test(p.output()) && JSON.parse(p.output().split('\n').find((l) => l.includes('"service started"'))!).url, 60_000, 100);
}

describe('the main command', () => {
  let te: TestEnv;
  let sim: ServiceNowSim;
  let env: Record<string, string>;
  const procs: Spawned[] = [];
  beforeAll(async () => {
    te = await createTestEnv();
    sim = createServiceNowSim();
    await sim.listen(0, '127.0.0.1');
    // Every value from .env.example except what isolates this test: its database, key prefix and a free port.
    env = { ...envExample(), DATABASE_URL: te.env.DATABASE_URL!, QUEUE_PREFIX: te.prefix, PORT: '0', HOST: '127.0.0.1' };
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await sim.close();
    await te.cleanup();
  });

  it('stops start-up on bad configuration, naming the variable and the reason', async () => {
    const p = spawnMain(['serve'], { ...env, SECRET_KEY: 'too-short', ADMIN_TOKEN: '' });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.output()).toContain('SECRET_KEY: must be 32 random bytes');
    expect(p.output()).toContain('ADMIN_TOKEN: is required');
  });

  it('runs with the .env.example values, and SIGTERM stops it within 10 s without losing a job', async () => {
    const p = spawnMain(['serve'], env);
    procs.push(p);
    const url = await startedUrl(p);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    seedClosedIncidents(sim, 300, 300);
    sim.setFaults({ latencyMs: [50, 120] }); // a slow ITSM, so that the poll is mid-way at SIGTERM
    const auth = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/admin/connectors`, { method: 'POST', headers: auth, body: JSON.stringify(snowConnector(sim, { intake: { mode: 'poll', pageSize: 25, pollIntervalSeconds: 5 } })) });
    expect(created.status).toBe(201);
    await fetch(`${url}/admin/connectors/snow/poll`, { method: 'POST', headers: auth });
    await waitFor('the first closures', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM closures`.execute(te.db)).rows[0]!.n) > 0, 30_000, 20);

    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    const stopMs = Date.now() - t0;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(p.output()).toContain('service stopped');

    // Started again, it finishes the work: every closure exactly once, every one decided.
    sim.setFaults({ latencyMs: [0, 0] });
    const again = spawnMain(['serve'], env);
    procs.push(again);
    await startedUrl(again);
    await waitFor('300 decisions', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM survey_decisions`.execute(te.db)).rows[0]!.n) === 300, 60_000, 100);
    expect(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM closures`.execute(te.db)).rows[0]!.n)).toBe(300);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });
});
