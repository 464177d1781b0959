import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { dropDatabase } from '../db/admin.js';
import { sql } from 'kysely';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import type { MemoryTransport } from '../mail/memory-transport.js';
import { startService, type RunningService } from '../service.js';
import { createServiceNowSim, type ServiceNowSim } from '../sim/servicenow/sim.js';
import { bareChainThroughput } from './bare-chain.js';
import { peakRssMb, percentile } from './stats.js';

/**
 * npm run bench -- [--closures 20000] [--rate 100] [--seconds 20]
 * Everything runs in this process (service with all roles, ServiceNow simulator, memory mail transport,
 * simulated customers), so the peak RSS printed is an upper bound for the service alone.
 */
const STAGES = 5; // fetch/poll → decide → send → write-back → follow-up

async function main() {
  const { values } = parseArgs({ options: { closures: { type: 'string', default: '20000' }, rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '20' } } });
  const N = Number(values.closures);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dbUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedback');
  dbUrl.pathname = '/feedback_bench';
  await dropDatabase(dbUrl.toString());
  const prefix = `fbbench${randomBytes(3).toString('hex')}`;
  const out = (s: string) => process.stdout.write(`${s}\n`);

  out(`bench: ${N} closures, ${rate} closures/s offered for ${seconds} s, worker concurrency ${concurrency}`);
  const bare = await bareChainThroughput(redisUrl, `${prefix}bare`, STAGES, Math.min(N, 20_000), concurrency);
  out(`  bare BullMQ chain (${STAGES} no-op stages): ${bare.toFixed(0)} chains/s`);

  const sim = createServiceNowSim();
  const simUrl = await sim.listen(0, '127.0.0.1');
  const config = loadConfig({
    DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PUBLIC_URL: 'http://127.0.0.1:0', PORT: '0', HOST: '127.0.0.1',
    ADMIN_TOKEN: randomBytes(16).toString('hex'), SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'error', MAIL_TRANSPORT: 'memory',
    MAIL_MAX_PER_SECOND: '10000', WORKER_CONCURRENCY: String(concurrency), BOT_MIN_SECONDS_AFTER_SEND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '100000',
    TOKEN_RATE_LIMIT_PER_MINUTE: '1000', RECONCILE_GRACE_SECONDS: '60', ITSM_TIMEOUT_MS: '60000',
    // No scheduler: polls happen only when the bench asks, so ITSM calls are counted exactly.
    ROLES: 'api,worker',
  });
  const service = await startService(config, createLogger('error'));
  try {
    await service.ctx.connectors.save(
      connectorDefinitionSchema.parse({
        id: 'bench', name: 'bench', kind: 'servicenow', baseUrl: simUrl, auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
        webhookSecret: 'bench-push-secret-0123', intake: { mode: 'both', pollIntervalSeconds: 86_400, pageSize: 1000, initialLookbackHours: 48, overlapSeconds: 60 },
        rules: { maxClosureAgeHours: 0 }, writeBack: { debounceSeconds: 0 }, rateLimitPerSecond: 0,
      }),
    );
    // Latency first, on a fresh system; then the backlog.
    const push = await latencyPhase(service, sim, rate, seconds);
    out(`  closure → sent at ${rate}/s offered by webhook (${push.count} closures): p50 ${ms(push.p50)}  p95 ${ms(push.p95)}  p99 ${ms(push.p99)}`);
    out(`  ITSM calls per 1,000 closures, push: ${push.callsPer1000.toFixed(0)} (one re-read each)`);
    sim.webhook.target = null;
    const backlog = await throughputPhase(service, sim, N);
    out(`  end to end (intake → decide → send → answer → write-back → follow-up): ${backlog.perSecond.toFixed(1)} closures/s  (ratio to the bare chain: ${(backlog.perSecond / bare).toFixed(2)})`);
    out(`  answer → write-back latency: p50 ${ms(backlog.wb.p50)}  p95 ${ms(backlog.wb.p95)}  p99 ${ms(backlog.wb.p99)}`);
    out(`  ITSM calls per 1,000 closures, polling: ${backlog.pollCallsPer1000.toFixed(2)} (write-back excluded)`);
    out(`  peak RSS with a ${N}-closure backlog: ${backlog.rssMb.toFixed(0)} MB (whole bench process: service, simulator with ${N} tickets, and customers)`);
    out(JSON.stringify({ closures: N, bareChainPerSecond: bare, endToEndPerSecond: backlog.perSecond, ratio: backlog.perSecond / bare, answerToWriteBackMs: backlog.wb, pollCallsPer1000: backlog.pollCallsPer1000, backlogPeakRssMb: backlog.rssMb, push }));
  } finally {
    await service.stop();
    await sim.close();
  }
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function throughputPhase(service: RunningService, sim: ServiceNowSim, n: number) {
  const { db } = service.ctx;
  const transport = service.ctx.mail.transport as MemoryTransport;
  const group = sim.createGroup({ name: 'Desk' });
  const agent = sim.createUser({ user_name: 'agent', name: 'Agent', email: 'agent@it.example.com' });
  const base = Date.now() - 3600_000;
  for (let i = 0; i < n; i++) {
    const u = sim.createUser({ user_name: `u${i}`, name: `User ${i}`, email: `u${i}@example.com` });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Issue ${i}`, assignment_group: group.sys_id!, assigned_to: agent.sys_id! });
    sim.closeIncident(inc.sys_id!, { resolved_by: agent.sys_id!, at: new Date(base + i * 100) });
  }
  sim.resetStats();
  const started = Date.now();
  await service.ctx.queues.enqueue('poll', { connectorId: 'bench' });
  let answered = 0;
  const app = service.app!;
  const offset = transport.sent.length;
  // Simulated customers answer every survey as it is sent (30% unhappy).
  for (;;) {
    const batch = transport.sent.slice(offset, offset + 200);
    await Promise.all(
      batch.map(async (m, k) => {
        const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!).pathname;
        const page = await app.inject({ method: 'GET', url: path });
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
        const score = (answered + k) % 10 < 3 ? 1 : 5;
        await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 bench' }, payload: `_csrf=${encodeURIComponent(csrf)}&score=${score}` });
      }),
    );
    answered += batch.length;
    // A real mailbox is not our memory: answered mail is dropped.
    transport.sent.splice(offset, batch.length);
    if (answered === n) {
      const done = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM writebacks WHERE status = 'done'`.execute(db)).rows[0]!.n);
      const tasks = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM follow_ups WHERE status = 'open'`.execute(db)).rows[0]!.n);
      if (done === n && tasks === Math.ceil(n * 0.3)) break;
    }
    if (batch.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (Date.now() - started) / 1000;
  // Per-route totals (the request log is a bounded ring that write-back calls overflow).
  const pollCalls = sim.stats().byRoute['GET /api/now/table/incident'] ?? 0;
  const wbRows = await sql<{ ms: number }>`SELECT extract(epoch FROM (w.done_at - r.submitted_at)) * 1000 AS ms FROM writebacks w JOIN responses r ON r.id = w.response_id WHERE w.status = 'done' ORDER BY 1`.execute(db);
  const wb = wbRows.rows.map((r) => Number(r.ms));
  return { perSecond: n / elapsed, pollCallsPer1000: (pollCalls / n) * 1000, rssMb: await peakRssMb(), wb: { p50: percentile(wb, 50), p95: percentile(wb, 95), p99: percentile(wb, 99) } };
}

async function latencyPhase(service: RunningService, sim: ServiceNowSim, rate: number, seconds: number) {
  const { db } = service.ctx;
  sim.webhook.target = { url: `${service.url}/webhooks/servicenow/bench`, headers: { 'X-Feedback-Secret': 'bench-push-secret-0123' } };
  const closedAt = new Map<string, number>();
  const total = rate * seconds;
  sim.resetStats();
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const u = sim.createUser({ user_name: `p${i}`, name: `Pushed ${i}`, email: `p${i}@example.com` });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Pushed ${i}` });
    closedAt.set(inc.sys_id!, Date.now());
    sim.closeIncident(inc.sys_id!);
  }
  await sim.webhook.flush();
  const ids = [...closedAt.keys()];
  for (;;) {
    const sent = await db.selectFrom('surveys as s').innerJoin('tickets as t', 't.id', 's.ticket_id').select(['t.external_id', 's.sent_at']).where('t.external_id', 'in', ids).where('s.status', '=', 'sent').execute();
    if (sent.length === ids.length) {
      const lat = sent.map((r) => r.sent_at!.getTime() - closedAt.get(r.external_id)!).sort((a, b) => a - b);
      const reReads = sim.stats().byRoute['GET /api/now/table/incident/:sys_id'] ?? 0;
      return { count: ids.length, p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), callsPer1000: (reReads / ids.length) * 1000 };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
