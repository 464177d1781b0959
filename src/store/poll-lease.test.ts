import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { acquirePollLease } from './poll-lease.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from '../../test/support/env.js';

describe('poll lease', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'c');
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
    expect(await c!.renew()).toBe(true);
  });
});
