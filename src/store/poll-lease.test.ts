import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { acquirePollLease, MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, pollLeaseSeconds } from './poll-lease.js';
import { createTestEnv, saveOfflineConnector, waitFor, type TestEnv } from '../../test/support/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dbNow = async (te: TestEnv) => (await sql<{ now: Date }>`SELECT now() AS now`.execute(te.db)).rows[0]!.now;
const leaseRow = async (te: TestEnv, id: string) => te.db.selectFrom('poll_cursors').select(['lease_owner', 'lease_until']).where('connector_id', '=', id).executeTakeFirstOrThrow();

describe('poll lease', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
    for (const id of ['c', 'long', 'dead']) await saveOfflineConnector(te, id);
  });
  afterAll(() => te?.cleanup());

  it('admits one poller at a time, and a new one after release or expiry', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const a = await acquirePollLease(te.db, 'c', start);
    expect(a?.cursorAt).toEqual(start);
    expect(await acquirePollLease(te.db, 'c', start)).toBeNull();
    await a!.release();
    const b = await acquirePollLease(te.db, 'c', new Date());
    expect(b?.cursorAt).toEqual(start); // the stored cursor, not the new initial value
    // A poller that died: its lease runs out.
    await sql`UPDATE poll_cursors SET lease_until = now() - interval '1 second'`.execute(te.db);
    const c = await acquirePollLease(te.db, 'c', start);
    expect(c).not.toBeNull();
    expect(await b!.renew()).toBe(false);
    expect(b!.lost).toBe(true);
    expect(await c!.renew()).toBe(true);
    await b!.release();
    await c!.release();
  });

  it('is about one poll interval long, never shorter than the safe minimum nor longer than the maximum', () => {
    expect(pollLeaseSeconds(5)).toBe(MIN_LEASE_SECONDS);
    expect(pollLeaseSeconds(60)).toBe(60);
    expect(pollLeaseSeconds(86_400)).toBe(MAX_LEASE_SECONDS);
  });

  it('a live poll keeps its lease by heartbeat, however long it runs', async () => {
    const a = (await acquirePollLease(te.db, 'long', new Date(), 2))!;
    const firstUntil = (await leaseRow(te, 'long')).lease_until!;
    // Well past the lease it was given, nobody else gets it: the heartbeat renewed it.
    await waitFor('three lease lengths to pass', async () => (await dbNow(te)).getTime() > firstUntil.getTime() + 4_000, 20_000, 200);
    expect(await acquirePollLease(te.db, 'long', new Date(), 2)).toBeNull();
    expect(a.lost).toBe(false);
    expect((await leaseRow(te, 'long')).lease_owner).toBe(a.owner);
    await a.release();
    expect((await leaseRow(te, 'long')).lease_owner).toBeNull();
  });

  it('a poller killed mid-poll (no heartbeat, no release) holds polling up for one lease at most', async () => {
    // Polled every 10 s: the lease is about one interval, but not below the safe minimum.
    const lease = Math.max(MIN_LEASE_SECONDS, 10);
    // A real process takes the lease for a poll interval of 10 s, then is killed with SIGKILL.
    const code = `const { createDb } = await import('./src/db/client.ts');
      const { acquirePollLease, pollLeaseSeconds } = await import('./src/store/poll-lease.ts');
      const { db } = createDb(process.env.DATABASE_URL, 1);
      const l = await acquirePollLease(db, 'dead', new Date(), pollLeaseSeconds(10));
      console.log(l ? 'LEASED' : 'BUSY');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: te.env.DATABASE_URL! }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    await waitFor('the child to take the lease', () => out.includes('LEASED') || (out.includes('Error') && Promise.reject(new Error(out))), 30_000);
    child.kill('SIGKILL');
    const killedAt = await dbNow(te);
    const held = await leaseRow(te, 'dead');
    expect(held.lease_owner).not.toBeNull();
    // What the dead poller left behind runs out within one lease of its death (not in minutes).
    expect(held.lease_until!.getTime() - killedAt.getTime()).toBeLessThanOrEqual(lease * 1000);
    expect(await acquirePollLease(te.db, 'dead', new Date())).toBeNull();
    const next = await waitFor('the next poller to get the lease', () => acquirePollLease(te.db, 'dead', new Date()), (lease + 10) * 1000, 250);
    expect((await dbNow(te)).getTime()).toBeGreaterThanOrEqual(held.lease_until!.getTime());
    await next.release();
  }, 60_000);
});
