import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { databaseName } from '../db/admin.js';
import { RedisFactory, type RedisClient } from '../redis/factory.js';
import { deleteKeys } from '../redis/keys.js';
import { describeRedisTarget, parseRedisUrl } from '../redis/url.js';
import { freshRunDatabase } from './run-database.js';
import { createDb, type Db } from '../db/client.js';
import { createServiceNowSim, type ServiceNowSim } from '../sim/servicenow/sim.js';
import { bareChainThroughput } from './bare-chain.js';
import { cpus, loadavg } from 'node:os';
import { cpuBetween, machineCpuSeconds, postgresCpuSeconds, redisCpuSeconds } from './cpu.js';
import { startupRssMb } from './startup-rss.js';
import { Deployment, type Layout } from './deployment.js';
import { peakRssMb, percentile } from './stats.js';
import { DEPLOYED_HEAP_MB, DEPLOYED_SEMI_SPACE_MB, serviceV8Flags } from './v8-flags.js';

/**
 * npm run bench -- [--closures 20000] [--rate 100] [--seconds 20] [--warmup-seconds 5] [--concurrency 20] [--db-pool 10] [--heap-mb N] [--semi-space-mb N] [--layout split|single] [--profile DIR] [--round-trips]
 * The service runs in child processes of its own, deployed as docker-compose runs it (--layout split: one
 * api process and one worker process; --layout single: both roles in one process), so that their peak
 * RSS (and, with --profile, their CPU profiles) are the service's alone. This process holds the
 * ServiceNow simulator and the simulated customers, who answer over HTTP like real ones; its own peak RSS
 * is reported separately.
 * The latency phase measures a warmed-up service, as one runs in production: the same offered rate for
 * --warmup-seconds right after start (V8 still interpreting, connections opening) is reported apart.
 * --round-trips prints the service's Postgres statements and Redis commands per closure of the backlog.
 * --heap-mb caps the service's V8 old space (--max-old-space-size; default 192, as the Dockerfile sets it
 * through NODE_OPTIONS; 0 for no cap); --semi-space-mb its young generation's semi-spaces
 * (--max-semi-space-size; default 4, as the Dockerfile; 0 for V8's own default).
 * --startup-rss no skips the last phase: RSS right after start of the compiled build per role.
 * The bare chain is measured before and after the service's phases (the machine is shared: its speed
 * moves), and the load average and the machine's busy CPU during the backlog are printed with it. As
 * throughput moves with other people's load, the CPU a closure costs everything that served it (service,
 * its Postgres backends, the simulator and customers, Redis) is compared with the CPU a bare chain costs:
 * the ratio the loop would reach with the machine to itself.
 */
const STAGES = 5; // fetch/poll → decide → send → write-back → follow-up
const CUSTOMERS = 200; // answering at once
const HARNESS = 'bench-harness'; // application_name of this process's Postgres connections

async function main() {
  const { values } = parseArgs({
    options: { layout: { type: 'string', default: 'split' }, closures: { type: 'string', default: '20000' }, rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' }, 'warmup-seconds': { type: 'string', default: '5' }, concurrency: { type: 'string', default: '20' }, 'db-pool': { type: 'string', default: '10' }, 'heap-mb': { type: 'string', default: String(DEPLOYED_HEAP_MB) }, 'semi-space-mb': { type: 'string', default: String(DEPLOYED_SEMI_SPACE_MB) }, profile: { type: 'string' }, 'round-trips': { type: 'boolean', default: false }, 'startup-rss': { type: 'string', default: 'yes' } },
  });
  const N = Number(values.closures);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const layout = values.layout as Layout;
  const v8Flags = serviceV8Flags(Number(values['heap-mb']) || undefined, Number(values['semi-space-mb']) || undefined);
  if (layout !== 'split' && layout !== 'single') throw new Error(`--layout must be split or single (got ${values.layout})`);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Its own database (DATABASE_URL's name + _bench, see run-database.ts), emptied at each run.
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedback';
  const dbUrl = new URL(await freshRunDatabase(databaseUrl, 'bench', 'npm run bench'));
  const prefix = `fbbench${randomBytes(3).toString('hex')}`;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`bench: database ${databaseName(dbUrl.toString())}, Redis ${describeRedisTarget(parseRedisUrl(redisUrl))}`);

  out(`bench: ${N} closures, ${rate} closures/s offered for ${seconds} s, ${layout === 'split' ? 'service as an api process and a worker process' : 'service in one process (api + worker)'}, worker concurrency ${concurrency}, Postgres pool ${values['db-pool']} per process${Number(values['heap-mb']) ? `, service heap cap ${values['heap-mb']} MB` : ', no heap cap'}, V8 flags ${v8Flags.join(' ') || '(none)'}`);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  out(`  machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load()}`);
  const bareRun1 = await bareChainThroughput(redisUrl, `${prefix}bare`, STAGES, Math.min(N, 20_000), concurrency);
  const bareBefore = bareRun1.perSecond;
  out(`  bare BullMQ chain (${STAGES} no-op stages): ${bareBefore.toFixed(0)} chains/s, CPU per chain ${(bareRun1.cpuMs.node + bareRun1.cpuMs.redis).toFixed(2)} ms (BullMQ client ${bareRun1.cpuMs.node.toFixed(2)} + Redis ${bareRun1.cpuMs.redis.toFixed(2)})`);

  const sim = createServiceNowSim();
  const simUrl = await sim.listen(0, '127.0.0.1');
  const service = new Deployment(layout, { profileDir: values.profile, countRoundTrips: values['round-trips'], v8Flags });
  let db: Db | null = null;
  try {
    const url = await service.start(
      {
        DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PUBLIC_URL: 'http://127.0.0.1:0', PORT: '0', HOST: '127.0.0.1',
        ADMIN_TOKEN: randomBytes(16).toString('hex'), METRICS_TOKEN: randomBytes(16).toString('hex'), SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'error', MAIL_TRANSPORT: 'memory',
        MAIL_MAX_PER_SECOND: '10000', WORKER_CONCURRENCY: String(concurrency), DB_POOL_MAX: values['db-pool'], BOT_MIN_SECONDS_AFTER_SEND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '100000',
        // Customers come from many addresses (X-Forwarded-For), as behind a load balancer.
        TRUST_PROXY_HOPS: '1', TOKEN_RATE_LIMIT_PER_MINUTE: '1000', RECONCILE_GRACE_SECONDS: '60', ITSM_TIMEOUT_MS: '60000',
        // No scheduler role: polls happen only when the bench asks, so ITSM calls are counted exactly.
      },
      {
        id: 'bench', name: 'bench', kind: 'servicenow', baseUrl: simUrl, auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
        webhookSecret: 'bench-push-secret-0123', intake: { mode: 'both', pollIntervalSeconds: 86_400, pageSize: 1000, initialLookbackHours: 48, overlapSeconds: 60 },
        rules: { maxClosureAgeHours: 0 }, writeBack: { debounceSeconds: 0 }, rateLimitPerSecond: 0,
      },
    );
    const harnessUrl = new URL(dbUrl);
    harnessUrl.searchParams.set('application_name', HARNESS);
    db = createDb(harnessUrl.toString(), 2).db;
    // Latency first, on a fresh system (after its warm-up); then the backlog.
    const warmupSeconds = Number(values['warmup-seconds']);
    if (warmupSeconds > 0) {
      const warm = await latencyPhase(db, url, service, sim, rate, warmupSeconds, 'w');
      out(`  warm-up, the first ${warmupSeconds} s after start at ${rate}/s (not counted below): closure → sent p50 ${ms(warm.p50)}  p95 ${ms(warm.p95)}  p99 ${ms(warm.p99)}`);
    }
    const beforePush = await service.roundTrips();
    const push = await latencyPhase(db, url, service, sim, rate, seconds, 'p');
    if (beforePush) printRoundTrips(out, beforePush, (await service.roundTrips())!, push.count, 'push');
    out(`  closure → sent at ${rate}/s offered by webhook (${push.count} closures): p50 ${ms(push.p50)}  p95 ${ms(push.p95)}  p99 ${ms(push.p99)}`);
    out(`  ITSM calls per 1,000 closures, push: ${push.callsPer1000.toFixed(0)} (one re-read each)`);
    out(`  CPU per pushed closure: service ${push.cpuMs.service.toFixed(1)} ms${perProcess(push.cpuMs.byProcess)}, its Postgres backends ${push.cpuMs.postgres.toFixed(1)} ms`);
    sim.webhook.target = null;
    const before = await service.roundTrips();
    const infoFactory = new RedisFactory(redisUrl);
    const backlog = await throughputPhase(db, url, service, sim, N, infoFactory.create({ kind: 'bench' })).finally(() => infoFactory.closeAll());
    if (before) printRoundTrips(out, before, (await service.roundTrips())!, N, 'backlog');
    const harnessRssMb = await peakRssMb();
    const bareRun2 = await bareChainThroughput(redisUrl, `${prefix}bare2`, STAGES, Math.min(N, 20_000), concurrency);
    const bareAfter = bareRun2.perSecond;
    const bare = (bareBefore + bareAfter) / 2;
    const bareCpuMs = (bareRun1.cpuMs.node + bareRun1.cpuMs.redis + bareRun2.cpuMs.node + bareRun2.cpuMs.redis) / 2;
    out(`  bare BullMQ chain again after the backlog: ${bareAfter.toFixed(0)} chains/s, CPU per chain ${(bareRun2.cpuMs.node + bareRun2.cpuMs.redis).toFixed(2)} ms (load average ${load()})`);
    out(`  end to end (intake → decide → send → answer → write-back → follow-up): ${backlog.perSecond.toFixed(1)} closures/s  (ratio to the bare chain: ${(backlog.perSecond / bare).toFixed(2)}, to its runs before and after: ${(backlog.perSecond / bareBefore).toFixed(2)} and ${(backlog.perSecond / bareAfter).toFixed(2)})`);
    const m = backlog.machine;
    if (m) {
      const ours = ((backlog.cpuMs.service + backlog.cpuMs.postgres + backlog.cpuMs.harness + backlog.cpuMs.redis) * N) / 1000;
      out(`  machine during the backlog (${backlog.seconds.toFixed(0)} s): CPUs ${((100 * m.busy) / (backlog.seconds * cpus().length)).toFixed(0)} % busy, ${((100 * m.steal) / (backlog.seconds * cpus().length)).toFixed(0)} % more taken by the hypervisor (steal); this run (service, Postgres, simulator and customers, Redis) ${ours.toFixed(0)} CPU-s of the ${m.busy.toFixed(0)} busy`);
    }
    const allMs = backlog.cpuMs.service + backlog.cpuMs.postgres + backlog.cpuMs.harness + backlog.cpuMs.redis;
    out(`  CPU per closure, everything that served it: ${allMs.toFixed(1)} ms (service ${backlog.cpuMs.service.toFixed(1)} + Postgres ${backlog.cpuMs.postgres.toFixed(1)} + simulator and customers ${backlog.cpuMs.harness.toFixed(1)} + Redis ${backlog.cpuMs.redis.toFixed(1)}, Redis counting other clients too); a bare chain ${bareCpuMs.toFixed(2)} ms: with the machine to itself, about ${(bareCpuMs / allMs).toFixed(2)} × the bare chain`);
    out(`  answer → write-back latency: p50 ${ms(backlog.wb.p50)}  p95 ${ms(backlog.wb.p95)}  p99 ${ms(backlog.wb.p99)}`);
    out(`  ITSM calls per 1,000 closures, polling: ${backlog.pollCallsPer1000.toFixed(2)} (write-back excluded)`);
    const cpu = (v: number) => `${v.toFixed(1)} ms`;
    out(`  CPU per closure of the backlog: service ${cpu(backlog.cpuMs.service)}${perProcess(backlog.cpuMs.byProcess)}, its Postgres backends ${cpu(backlog.cpuMs.postgres)} (the simulator and customers: ${cpu(backlog.cpuMs.harness)})`);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    const peak = Math.max(...backlog.memory.map((m) => m.peakRssMb));
    const together = backlog.memory.length > 1 ? `, ${mb(backlog.memory.reduce((a, m) => a + m.peakRssMb, 0))} together` : '';
    out(`  peak RSS with a ${N}-closure backlog: ${mb(peak)} per service process (${backlog.memory.map((m) => `${m.roles} ${mb(m.peakRssMb)}`).join(', ')}${together}; bench process with the simulator and customers: ${mb(harnessRssMb)})`);
    for (const m of backlog.memory) out(`  service memory (${m.roles}): ${mb(m.rssAtStart)} RSS after start; peaks: V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, outside the heap ${mb(m.external)}`);
    await service.stop();
    let startupRss: Record<string, number> | null = null;
    if (values['startup-rss'] !== 'no') {
      const rssDb = await freshRunDatabase(databaseUrl, 'bench_rss', 'npm run bench');
      startupRss = await startupRssMb({ DATABASE_URL: rssDb, REDIS_URL: redisUrl, QUEUE_PREFIX: `${prefix}rss`, PUBLIC_URL: 'http://127.0.0.1:0', PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: randomBytes(16).toString('hex'), METRICS_TOKEN: randomBytes(16).toString('hex'), SECRET_KEY: randomBytes(32).toString('hex'), MAIL_TRANSPORT: 'ses' }, ['api', 'worker', 'api,worker,scheduler'], { v8Flags });
      out(`  RSS right after start, compiled build (node dist/main.js serve, MAIL_TRANSPORT=ses, ${v8Flags.join(' ') || 'no V8 flags'}): ${Object.entries(startupRss).map(([r, v]) => `${r === 'api,worker,scheduler' ? 'all roles' : `${r} only`} ${mb(v)}`).join(', ')}`);
    }
    out(JSON.stringify({ layout, closures: N, bareChainPerSecond: bare, bareChainBeforeAfter: [bareBefore, bareAfter], bareChainCpuMs: bareCpuMs, startupRssMb: startupRss, endToEndPerSecond: backlog.perSecond, ratio: backlog.perSecond / bare, answerToWriteBackMs: backlog.wb, pollCallsPer1000: backlog.pollCallsPer1000, backlogPeakRssMb: peak, harnessPeakRssMb: harnessRssMb, serviceMemoryMb: backlog.memory, cpuMsPerClosure: backlog.cpuMs, push }));
  } finally {
    await db?.destroy();
    await service.stop();
    await sim.close();
    // The run's keys (queues with their completed jobs) would stay on a shared Redis for good.
    // (every master of a cluster).
    const redis = new RedisFactory(redisUrl);
    await deleteKeys(redis.create({ kind: 'bench' }), `${prefix}*`).finally(() => redis.closeAll());
  }
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
/** CPU per closure (ms) of each service process between two readings of Deployment.cpuSeconds. */
function perClosureMs(before: Record<string, number>, after: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([roles, s]) => [roles, ((s - (before[roles] ?? 0)) * 1000) / n]));
}
const perProcess = (byProcess: Record<string, number>) =>
  Object.keys(byProcess).length > 1 ? ` (${Object.entries(byProcess).map(([roles, v]) => `${roles} ${v.toFixed(1)}`).join(' + ')})` : '';

type Counts = NonNullable<Awaited<ReturnType<Deployment['roundTrips']>>>;
function printRoundTrips(out: (s: string) => void, before: Counts, after: Counts, n: number, phase: string) {
  for (const kind of ['postgres', 'redis'] as const) {
    const rows = Object.entries(after[kind]).map(([k, v]) => [k, (v - (before[kind][k] ?? 0)) / n] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    out(`  ${kind} round trips per closure (${phase}): ${rows.filter(([k]) => !k.startsWith('(')).reduce((a, [, v]) => a + v, 0).toFixed(1)}`);
    for (const [k, v] of rows.slice(0, 40)) out(`    ${v.toFixed(2).padStart(6)}  ${k}`);
  }
}
const count = async (db: Db, text: string) => Number((await sql<{ n: string }>`${sql.raw(text)}`.execute(db)).rows[0]!.n);

/** One customer: opens the survey page from the email, then submits a rating from it. */
async function answer(url: string, path: string, score: number, ip: string): Promise<void> {
  const headers = { 'x-forwarded-for': ip, 'user-agent': 'Mozilla/5.0 bench' };
  const page = await fetch(`${url}${path}`, { headers });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`survey page ${page.status} without a form`);
  const r = await fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}&score=${score}` });
  await r.arrayBuffer();
  if (r.status !== 303) throw new Error(`answer refused: ${r.status}`);
}

async function throughputPhase(db: Db, url: string, service: Deployment, sim: ServiceNowSim, n: number, redis: RedisClient) {
  const group = sim.createGroup({ name: 'Desk' });
  const agent = sim.createUser({ user_name: 'agent', name: 'Agent', email: 'agent@it.example.com' });
  const base = Date.now() - 3600_000;
  for (let i = 0; i < n; i++) {
    const u = sim.createUser({ user_name: `u${i}`, name: `User ${i}`, email: `u${i}@example.com` });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Issue ${i}`, assignment_group: group.sys_id!, assigned_to: agent.sys_id! });
    sim.closeIncident(inc.sys_id!, { resolved_by: agent.sys_id!, at: new Date(base + i * 100) });
  }
  service.inbox.length = 0;
  sim.resetStats();
  const cpuBefore = { service: await service.cpuSeconds(), postgres: await postgresCpuSeconds(db, HARNESS), harness: process.cpuUsage(), redis: await redisCpuSeconds(redis), machine: await machineCpuSeconds() };
  const started = Date.now();
  service.poll('bench');
  let answered = 0;
  // Simulated customers answer every survey as it arrives (30% unhappy).
  for (;;) {
    const batch = service.inbox.splice(0, CUSTOMERS);
    await Promise.all(batch.map((path, k) => answer(url, path, (answered + k) % 10 < 3 ? 1 : 5, `10.${(answered + k) >> 16}.${((answered + k) >> 8) & 255}.${(answered + k) & 255}`)));
    answered += batch.length;
    if (answered === n) {
      const done = await count(db, `SELECT count(*) AS n FROM writebacks WHERE status = 'done'`);
      const tasks = await count(db, `SELECT count(*) AS n FROM follow_ups WHERE status = 'open'`);
      if (done === n && tasks === Math.ceil(n * 0.3)) break;
    }
    if (batch.length === 0) await new Promise((r) => setTimeout(r, answered === n ? 100 : 20));
  }
  const elapsed = (Date.now() - started) / 1000;
  const harnessCpu = process.cpuUsage(cpuBefore.harness);
  const byProcess = perClosureMs(cpuBefore.service, await service.cpuSeconds(), n);
  const cpuMs = {
    service: Object.values(byProcess).reduce((a, b) => a + b, 0),
    byProcess,
    postgres: (cpuBetween(cpuBefore.postgres, await postgresCpuSeconds(db, HARNESS)) * 1000) / n,
    harness: (harnessCpu.user + harnessCpu.system) / 1e3 / n,
    redis: (((await redisCpuSeconds(redis)) - cpuBefore.redis) * 1000) / n,
  };
  const machineNow = await machineCpuSeconds();
  const machine = cpuBefore.machine && machineNow ? { busy: machineNow.busy - cpuBefore.machine.busy, steal: machineNow.steal - cpuBefore.machine.steal } : null;
  // Per-route totals (the request log is a bounded ring that write-back calls overflow).
  const pollCalls = sim.stats().byRoute['GET /api/now/table/incident'] ?? 0;
  const wbRows = await sql<{ ms: number }>`SELECT extract(epoch FROM (w.done_at - r.submitted_at)) * 1000 AS ms FROM writebacks w JOIN responses r ON r.id = w.response_id WHERE w.status = 'done' ORDER BY 1`.execute(db);
  const wb = wbRows.rows.map((r) => Number(r.ms));
  return { perSecond: n / elapsed, seconds: elapsed, machine, cpuMs, pollCallsPer1000: (pollCalls / n) * 1000, memory: await service.memory(), wb: { p50: percentile(wb, 50), p95: percentile(wb, 95), p99: percentile(wb, 99) } };
}

/** Closures pushed at `rate` for `seconds`, each by a new customer (`tag` keeps phases apart: anti-spam would skip a repeat). */
async function latencyPhase(db: Db, url: string, service: Deployment, sim: ServiceNowSim, rate: number, seconds: number, tag: string) {
  sim.webhook.target = { url: `${url}/webhooks/servicenow/bench`, headers: { 'X-Feedback-Secret': 'bench-push-secret-0123' } };
  const closedAt = new Map<string, number>();
  const total = rate * seconds;
  sim.resetStats();
  const cpuBefore = { service: await service.cpuSeconds(), postgres: await postgresCpuSeconds(db, HARNESS) };
  const SENT = `SELECT count(*) AS n FROM surveys WHERE status = 'sent'`;
  const sentBefore = await count(db, SENT); // an earlier phase's
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const u = sim.createUser({ user_name: `${tag}${i}`, name: `Pushed ${i}`, email: `${tag}${i}@example.com` });
    const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Pushed ${i}` });
    closedAt.set(inc.sys_id!, Date.now());
    sim.closeIncident(inc.sys_id!);
  }
  await sim.webhook.flush();
  const ids = [...closedAt.keys()];
  for (;;) {
    // A cheap count while waiting, the details once at the end: the bench must not load the Postgres it measures.
    if ((await count(db, SENT)) - sentBefore < ids.length) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const sent = await db.selectFrom('surveys as s').innerJoin('tickets as t', 't.id', 's.ticket_id').select(['t.external_id', 's.sent_at']).where('t.external_id', 'in', ids).where('s.status', '=', 'sent').execute();
    if (sent.length === ids.length) {
      const lat = sent.map((r) => r.sent_at!.getTime() - closedAt.get(r.external_id)!).sort((a, b) => a - b);
      const reReads = sim.stats().byRoute['GET /api/now/table/incident/:sys_id'] ?? 0;
      // These surveys stay unanswered: the customers of the backlog phase start from an empty mailbox.
      service.inbox.length = 0;
      const byProcess = perClosureMs(cpuBefore.service, await service.cpuSeconds(), ids.length);
      const cpuMs = {
        service: Object.values(byProcess).reduce((a, b) => a + b, 0),
        byProcess,
        postgres: (cpuBetween(cpuBefore.postgres, await postgresCpuSeconds(db, HARNESS)) * 1000) / ids.length,
      };
      return { count: ids.length, p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), callsPer1000: (reReads / ids.length) * 1000, cpuMs };
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
