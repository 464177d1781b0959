import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../src/console/session.js';
import { createTestEnv, type TestEnv } from './support/env.js';
import { consoleLogin, formBody } from './support/console.js';
import { startHarness, type Harness } from './support/harness.js';

describe('console sessions', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
  });
  afterAll(() => te?.cleanup());

  it('end after the idle time, after the maximum age, and when revoked; tokens are stored hashed', async () => {
    let now = new Date('2026-05-01T10:00:00Z');
    const store = new SessionStore(te.db, { idleMinutes: 30, maxHours: 2, now: () => now });
    const { token, session } = await store.create('Dana');
    expect((await store.get(token))?.actor).toBe('Dana');
    const stored = await te.db.withTables<{ console_sessions: { id_hash: Buffer } }>().selectFrom('console_sessions').select('id_hash').execute();
    expect(stored.map((r) => r.id_hash.toString('base64url'))).not.toContain(token);
    now = new Date(now.getTime() + 29 * 60_000);
    expect(await store.get(token)).not.toBeNull(); // seen: the idle timer restarts
    now = new Date(now.getTime() + 29 * 60_000);
    expect(await store.get(token)).not.toBeNull();
    now = new Date(now.getTime() + 31 * 60_000);
    expect(await store.get(token)).toBeNull(); // idle too long
    const second = await store.create('Dana');
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + 25 * 60_000);
      await store.get(second.token);
    }
    expect(await store.get(second.token)).toBeNull(); // past the 2 hours however active
    const third = await store.create('Dana');
    await store.revoke((await store.get(third.token))!);
    expect(await store.get(third.token)).toBeNull();
    expect(await store.get('not-a-token')).toBeNull();
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('console sign-in rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CONSOLE_LOGIN_PER_MINUTE: '3' });
  });
  afterAll(() => h?.close());

  it('refuses further attempts from one address within the minute, even with the right token', async () => {
    const app = h.service.app!;
    const attempt = async (token: string) => {
      const page = await app.inject({ method: 'GET', url: '/admin/login' });
      const nonce = String(page.headers['set-cookie']).split(';')[0]!;
      return app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce }, payload: formBody({ _login: /name="_login" value="([^"]+)"/.exec(page.body)![1]!, name: 'Eve', token }) });
    };
    expect((await attempt('guess-1')).statusCode).toBe(401);
    expect((await attempt('guess-2')).statusCode).toBe(401);
    expect((await attempt('guess-3')).statusCode).toBe(401);
    const limited = await attempt(h.te.config.ADMIN_TOKEN);
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many sign-in attempts');
    await expect(consoleLogin(app, h.te.config.ADMIN_TOKEN)).rejects.toThrow(/429/);
  });
});
