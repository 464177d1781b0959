import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/logger.js';
import { MemoryRateGate } from '../src/lib/rate-gate.js';
import { RetryLaterError } from '../src/lib/retry.js';
import { ServiceNowConnector } from '../src/connectors/servicenow/connector.js';
import { serviceNowDefinitionSchema } from '../src/connectors/servicenow/definition.js';
import type { ConnectorDeps } from '../src/connectors/types.js';
import { createServiceNowSim, type ServiceNowSim } from '../src/sim/servicenow/sim.js';

const deps = (over: Partial<ConnectorDeps['http']> = {}): ConnectorDeps => ({
  logger: createLogger('silent'),
  gate: new MemoryRateGate(),
  http: { timeoutMs: 5000, maxAttempts: 6, maxInlineWaitMs: 5000, ...over },
});

function connector(sim: ServiceNowSim, auth: Record<string, string>, d = deps(), extra: Record<string, unknown> = {}) {
  const def = serviceNowDefinitionSchema.parse({ id: 'snow', name: 'x', kind: 'servicenow', baseUrl: sim.url, auth, webhookSecret: 's'.repeat(16), ...extra });
  return new ServiceNowConnector(def, d);
}

const basic = { type: 'basic', username: 'integration', password: 'integration-pass' };

async function collect(c: ServiceNowConnector, since: Date) {
  const out = [];
  for await (const page of c.pollClosures(since)) out.push(page);
  return out;
}

describe('ServiceNow connector against the simulator', () => {
  let sim: ServiceNowSim;
  let caller: Record<string, string>;
  let closedIds: string[] = [];
  beforeAll(async () => {
    sim = createServiceNowSim({ tokenTtlSeconds: 1800 });
    await sim.listen(0, '127.0.0.1');
    caller = sim.createUser({ user_name: 'ann', name: 'Ann Example', email: 'Ann@Example.com', preferred_language: 'de', time_zone: 'Europe/Berlin' });
    const group = sim.createGroup({ name: 'Network' });
    for (let i = 0; i < 7; i++) {
      const inc = sim.createIncident({ caller_id: caller.sys_id!, short_description: `VPN ${i}`, assignment_group: group.sys_id!, category: 'network' });
      if (i < 5) closedIds.push(sim.closeIncident(inc.sys_id!, { close_code: 'Solved (Permanently)' }).sys_id!);
    }
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.setFaults({ rate429: 0, rate500: 0, latencyMs: [0, 0] });
    vi.useRealTimers();
  });

  it('polls only closed records, page by page, with caller details dot-walked', async () => {
    const c = connector(sim, basic, deps(), { intake: { pageSize: 2 } });
    const pages = await collect(c, new Date(Date.now() - 3600_000));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const tickets = pages.flatMap((p) => p.tickets);
    // Every closed record exactly once (the 5 closed in the same second are read through that second by offset).
    expect(tickets.map((t) => t.externalId).sort()).toEqual([...closedIds].sort());
    const t = tickets[0]!;
    expect(t.isClosed).toBe(true);
    expect(t.closedAt).toBeInstanceOf(Date);
    expect(t.requester).toEqual({ externalId: caller.sys_id, email: 'Ann@Example.com', name: 'Ann Example', locale: 'de', timeZone: 'Europe/Berlin' });
    expect(t.assignmentGroupName).toBe('Network');
    expect(t.closeCode).toBe('Solved (Permanently)');
  });

  it('loses nothing when records change while the poll pages through them (keyset paging)', async () => {
    const fresh = createServiceNowSim();
    await fresh.listen(0, '127.0.0.1');
    try {
      const u = fresh.createUser({ user_name: 'k', name: 'K', email: 'k@example.com' });
      const base = Date.now() - 3600_000;
      const ids: string[] = [];
      for (let i = 0; i < 35; i++) {
        const inc = fresh.createIncident({ caller_id: u.sys_id!, short_description: `k${i}` });
        // Several closures share a second, as on a busy instance.
        ids.push(fresh.closeIncident(inc.sys_id!, { at: new Date(base + Math.floor(i / 3) * 1000) }).sys_id!);
      }
      const c = connector(fresh, basic, deps(), { intake: { pageSize: 10 } });
      const seen = new Set<string>();
      for await (const page of c.pollClosures(new Date(base - 60_000))) {
        for (const t of page.tickets) {
          seen.add(t.externalId);
          // While the poll goes on, every record read gets a work note (its sys_updated_on moves to now).
          await fetch(`${fresh.url}/api/now/table/incident/${t.externalId}`, { method: 'PATCH', headers: { authorization: `Basic ${Buffer.from('integration:integration-pass').toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ work_notes: 'noted' }) });
        }
      }
      expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('re-reads one record, and answers null for an unknown one', async () => {
    const c = connector(sim, basic);
    expect((await c.fetchTicket(closedIds[0]!))?.isClosed).toBe(true);
    expect(await c.fetchTicket('0'.repeat(32))).toBeNull();
  });

  it('reports a failed connection check with ServiceNow\'s message, without retrying a 401', async () => {
    sim.resetStats();
    const r = await connector(sim, { ...basic, password: 'wrong' }).checkConnection();
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/401.*User Not Authenticated/);
    expect(sim.stats().requests).toBe(1);
    expect((await connector(sim, basic).checkConnection()).ok).toBe(true);
  });

  it('authenticates with OAuth password and client-credentials grants and refreshes before expiry', async () => {
    const before = { ...sim.stats().tokensIssued };
    const pw = connector(sim, { type: 'oauth_password', clientId: 'feedback-client', clientSecret: 'feedback-secret', username: 'integration', password: 'integration-pass' });
    expect((await pw.checkConnection()).ok).toBe(true);
    expect((await pw.checkConnection()).ok).toBe(true); // token reused
    const cc = connector(sim, { type: 'oauth_client_credentials', clientId: 'feedback-client', clientSecret: 'feedback-secret' });
    expect((await cc.checkConnection()).ok).toBe(true);
    const after = sim.stats().tokensIssued;
    expect((after.password ?? 0) - (before.password ?? 0)).toBe(1);
    expect((after.client_credentials ?? 0) - (before.client_credentials ?? 0)).toBe(1);

    // 29 minutes later the 30-minute token is within the refresh margin: renewed by refresh_token first.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 29 * 60_000);
    expect((await pw.checkConnection()).ok).toBe(true);
    expect((sim.stats().tokensIssued.refresh_token ?? 0) - (before.refresh_token ?? 0)).toBe(1);
  });

  it('refuses wrong OAuth client credentials with a clear, permanent error', async () => {
    const r = await connector(sim, { type: 'oauth_client_credentials', clientId: 'feedback-client', clientSecret: 'nope' }).checkConnection();
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/OAuth client_credentials grant refused/);
  });

  it('waits for Retry-After before calling again, sharing the wait through the gate', async () => {
    sim.setFaults({ rate429: 0.5, retryAfterSeconds: 1 });
    sim.resetStats();
    const c = connector(sim, basic, deps({ maxAttempts: 20 }));
    for (let i = 0; i < 12; i++) expect((await c.checkConnection()).ok).toBe(true);
    expect(sim.stats().status['429'] ?? 0).toBeGreaterThan(0);
    expect(sim.stats().rateLimitViolations).toBe(0);
  });

  it('parks the job instead of blocking a worker when Retry-After is long', async () => {
    sim.setFaults({ rate429: 1, retryAfterSeconds: 120 });
    const c = connector(sim, basic, deps({ maxInlineWaitMs: 1000 }));
    await expect(c.fetchTicket(closedIds[0]!)).rejects.toBeInstanceOf(RetryLaterError);
  });

  it('verifies push notifications: secret, payload, and other tables', () => {
    const c = connector(sim, basic);
    const req = (headers: Record<string, string>, body: unknown) => ({ headers, query: {}, body, rawBody: Buffer.from(JSON.stringify(body)) });
    const sysId = closedIds[0]!;
    expect(c.verifyWebhook(req({}, { sys_id: sysId }))).toMatchObject({ ok: false, status: 401 });
    expect(c.verifyWebhook(req({ 'x-feedback-secret': 'x'.repeat(16) }, { sys_id: sysId }))).toMatchObject({ ok: false, status: 401 });
    expect(c.verifyWebhook(req({ 'x-feedback-secret': 's'.repeat(16) }, { sys_id: 'nope' }))).toMatchObject({ ok: false, status: 400 });
    expect(c.verifyWebhook(req({ 'x-feedback-secret': 's'.repeat(16) }, { sys_id: sysId, table: 'change_request' }))).toMatchObject({ ok: true, notices: [] });
    expect(c.verifyWebhook(req({ 'x-feedback-secret': 's'.repeat(16) }, { sys_id: sysId, sys_updated_on: '2026-01-01 00:00:00' }))).toEqual({
      ok: true,
      notices: [{ externalId: sysId, dedupeKey: `${sysId}@2026-01-01 00:00:00` }],
    });
  });
});
