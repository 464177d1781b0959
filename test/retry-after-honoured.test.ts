import { randomBytes } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { RedisRateGate } from '../src/lib/rate-gate.js';
import { JiraConnector } from '../src/connectors/jira/connector.js';
import { jiraDefinitionSchema } from '../src/connectors/jira/definition.js';
import { ServiceNowConnector } from '../src/connectors/servicenow/connector.js';
import { serviceNowDefinitionSchema } from '../src/connectors/servicenow/definition.js';
import type { ConnectorDeps } from '../src/connectors/types.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import type { RequestLogEntry } from '../src/sim/common/request-stats.js';
import { createServiceNowSim, type ServiceNowSim } from '../src/sim/servicenow/sim.js';
import { deleteKeys, REDIS_URL } from './support/env.js';

/**
 * Issue 13 item 1, measured where an ITSM would see it: the simulator records when every request arrived
 * and every Retry-After it answered; the client side tags each request it creates (X-Sim-Ref, through
 * node:diagnostics_channel, so the product is not involved) and notes when each answer came back. Many
 * concurrent calls from one process — waiting in the gate, in the per-second limiter, for credentials —
 * must not start a single request between receiving a 429/503 and the end of its Retry-After.
 *
 * A request the simulator saw inside a window may still be one the client had sent before that answer
 * reached it (in flight at the same moment): no client can recall those. They are counted and printed,
 * and must have been created before the answer arrived; every other early request is a violation.
 */
const CALLS = 100;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const prefix = `fbtest-ra-${randomBytes(4).toString('hex')}`;

const deps = (): ConnectorDeps => ({
  logger: createLogger('silent'),
  gate: new RedisRateGate(redis, prefix),
  http: { timeoutMs: 10_000, maxAttempts: 8, maxInlineWaitMs: 30_000 },
});

/** Client-side record of every HTTP request this process creates: when, and when its answer arrived. */
const created = new Map<string, number>();
const answered = new Map<string, number>();
let seq = 0;
const onCreated = (m: unknown) => {
  const req = (m as { request: ClientRequest }).request;
  const ref = String(++seq);
  req.setHeader('x-sim-ref', ref);
  created.set(ref, Date.now());
};
const onAnswered = (m: unknown) => {
  const ref = (m as { request: ClientRequest }).request.getHeader('x-sim-ref');
  if (typeof ref === 'string' && !answered.has(ref)) answered.set(ref, Date.now());
};

interface Early {
  entry: RequestLogEntry;
  earlyMs: number;
  /** The client created it after the Retry-After answer had reached it. */
  violation: boolean;
}

/** Requests that reached the simulator after a Retry-After answer was sent and before it ran out. */
function earlyStarts(log: RequestLogEntry[]): Early[] {
  const windows = log
    .filter((e) => e.retryAfterSeconds !== null && e.retryAfterSeconds > 0)
    .map((e) => ({ from: e.at, until: e.at + e.retryAfterSeconds! * 1000, receivedAt: (e.ref && answered.get(e.ref)) ?? e.at }));
  const out: Early[] = [];
  for (const entry of log) {
    const hit = windows.filter((w) => entry.startedAt > w.from && entry.startedAt < w.until);
    if (!hit.length) continue;
    const createdAt = (entry.ref && created.get(entry.ref)) ?? entry.startedAt;
    out.push({ entry, earlyMs: Math.max(...hit.map((w) => w.until - entry.startedAt)), violation: hit.some((w) => createdAt > w.receivedAt) });
  }
  return out;
}

/** "0 of N requests started early after their 429 reached us" with the in-flight count, or the violations. */
function summary(log: RequestLogEntry[]): string {
  const early = earlyStarts(log);
  const bad = early.filter((e) => e.violation);
  const ms = bad.map((e) => e.earlyMs).sort((a, b) => a - b);
  const examples = bad.slice(0, 3).map((e) => `${e.entry.method} ${e.entry.url.split('?')[0]} ${e.earlyMs} ms early`);
  console.log(`${log.length} requests: ${early.length} started inside a Retry-After window at the simulator, ${bad.length} of them after the client had received that answer`);
  return `${bad.length} of ${log.length} requests early${bad.length ? ` (median ${ms[Math.floor(ms.length / 2)]} ms; ${examples.join('; ')})` : ''}`;
}

beforeAll(() => {
  dc.subscribe('http.client.request.created', onCreated);
  dc.subscribe('http.client.response.finish', onAnswered);
});

afterAll(async () => {
  dc.unsubscribe('http.client.request.created', onCreated);
  dc.unsubscribe('http.client.response.finish', onAnswered);
  await deleteKeys(redis, `${prefix}:*`);
  await redis.quit();
});

describe('Retry-After is honoured inside a process', () => {
  let snow: ServiceNowSim;
  let jira: JiraSim;
  beforeAll(async () => {
    snow = createServiceNowSim({ seed: 7 });
    jira = createJiraSim({ seed: 7 });
    await Promise.all([snow.listen(0, '127.0.0.1'), jira.listen(0, '127.0.0.1')]);
  });
  afterAll(async () => {
    await snow?.close();
    await jira?.close();
  });

  it('ServiceNow: no request starts between a 429 and its Retry-After', async () => {
    const caller = snow.createUser({ user_name: 'ann', name: 'Ann', email: 'ann@example.com' });
    const ids = Array.from({ length: CALLS }, (_, i) => snow.createIncident({ caller_id: caller.sys_id!, short_description: `T${i}` }).sys_id!);
    const def = serviceNowDefinitionSchema.parse({ id: `snow-${prefix}`, name: 'x', kind: 'servicenow', baseUrl: snow.url, auth: { type: 'basic', username: 'integration', password: 'integration-pass' }, rateLimitPerSecond: 25 });
    const c = new ServiceNowConnector(def, deps());
    snow.resetStats();
    snow.setFaults({ rate429: 0.15, retryAfterSeconds: 1, latencyMs: [2, 20] });
    const tickets = await Promise.all(ids.map((id) => c.fetchTicket(id)));
    snow.setFaults({ rate429: 0, latencyMs: [0, 0] });
    expect(tickets.every((t) => t !== null)).toBe(true);
    const log = snow.stats().log;
    expect(log.filter((e) => e.status === 429).length).toBeGreaterThan(3);
    expect(summary(log)).toBe(`0 of ${log.length} requests early`);
  }, 180_000);

  it('Jira: no request starts between a 429/503 and its Retry-After', async () => {
    jira.createProject({ key: 'SUP', name: 'Support', type: 'software' });
    const u = jira.createUser({ displayName: 'Ann', email: 'ann@example.com' });
    const ids = Array.from({ length: CALLS }, (_, i) => jira.createIssue({ project: 'SUP', summary: `S${i}`, reporter: u.accountId }).id);
    const def = jiraDefinitionSchema.parse({ id: `jira-${prefix}`, name: 'x', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' }, jira: { projects: ['SUP'] }, rateLimitPerSecond: 25 });
    const c = new JiraConnector(def, deps());
    jira.resetStats();
    jira.setFaults({ rate429: 0.1, rate503: 0.05, retryAfterSeconds: 1, latencyMs: [2, 20] });
    const tickets = await Promise.all(ids.map((id) => c.fetchTicket(id)));
    jira.setFaults({ rate429: 0, rate503: 0, latencyMs: [0, 0] });
    expect(tickets.every((t) => t !== null)).toBe(true);
    const log = jira.stats().log;
    expect(log.filter((e) => e.status === 429 || e.status === 503).length).toBeGreaterThan(3);
    expect(summary(log)).toBe(`0 of ${log.length} requests early`);
  }, 180_000);
});
