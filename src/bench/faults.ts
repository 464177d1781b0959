import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { databaseName, dropDatabase, withAdminClient } from '../db/admin.js';
import { deleteKeys } from '../lib/redis-keys.js';
import { sql } from 'kysely';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { startService } from '../service.js';
import { createServiceNowSim } from '../sim/servicenow/sim.js';
import { startSesEmulator } from '../demo/ses-emulator.js';

/**
 * npm run test:faults -- [--closures 2000] [--workers 3] [--chaos-seconds 60]
 * Closures arrive by webhook and polling; surveys go out through the SES emulator from separate worker
 * processes; simulated customers answer (30% unhappy). Meanwhile: workers are SIGKILLed at random,
 * this run's Redis keys are wiped (FLUSHALL scoped to our prefix, so other data on the server survives),
 * Postgres connections are terminated, and ServiceNow storms with 429/5xx. Then it counts what was
 * lost or doubled. Exit code 1 if any count is not 0.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function main() {
  const { values } = parseArgs({ options: { closures: { type: 'string', default: '2000' }, workers: { type: 'string', default: '3' }, 'chaos-seconds': { type: 'string', default: '60' } } });
  const N = Number(values.closures);
  const W = Number(values.workers);
  const chaosSeconds = Number(values['chaos-seconds']);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Its own database, dropped and created afresh: the one DATABASE_URL names, else feedback_faults.
  const dbUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedback_faults');
  await dropDatabase(dbUrl.toString());
  const prefix = `fbfault${randomBytes(3).toString('hex')}`;

  const sim = createServiceNowSim({ seed: 7 });
  const simUrl = await sim.listen(0, '127.0.0.1');
  const ses = await startSesEmulator(0);
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PUBLIC_URL: 'http://127.0.0.1:0', PORT: '0', HOST: '127.0.0.1',
    ADMIN_TOKEN: randomBytes(16).toString('hex'), SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'fatal',
    MAIL_TRANSPORT: 'ses', SES_ENDPOINT: ses.url, SES_ACCESS_KEY_ID: 'x', SES_SECRET_ACCESS_KEY: 'x', MAIL_MAX_PER_SECOND: '500',
    WORKER_CONCURRENCY: '10', BOT_MIN_SECONDS_AFTER_SEND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '100000', TOKEN_RATE_LIMIT_PER_MINUTE: '1000',
    RECONCILE_INTERVAL_SECONDS: '2', RECONCILE_GRACE_SECONDS: '3', RECONCILE_STUCK_SECONDS: '10', SCHEDULER_SYNC_SECONDS: '2', JOB_LOCK_MS: '3000', SEND_CLAIM_TIMEOUT_SECONDS: '20',
    ITSM_MAX_INLINE_WAIT_MS: '5000',
  };
  // This process: api + scheduler. The work happens in worker processes that get killed.
  const service = await startService(loadConfig({ ...env, ROLES: 'api,scheduler' }), createLogger('fatal'));
  const url = service.url!;
  // The harness's own reads must survive the chaos it causes: a pooled connection that a drop terminated
  // fails its next query, which is then retried on a fresh one.
  const q = async (text: string): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return Number((await sql<{ n: string }>`${sql.raw(text)}`.execute(service.ctx.db)).rows[0]!.n);
      } catch (e) {
        if (attempt >= 5) throw e;
        await sleep(200 * attempt);
      }
    }
  };
  await service.ctx.connectors.save(
    connectorDefinitionSchema.parse({
      id: 'faults', name: 'faults', kind: 'servicenow', baseUrl: simUrl, auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
      webhookSecret: 'fault-push-secret-0123', intake: { mode: 'both', pollIntervalSeconds: 5, pageSize: 500, initialLookbackHours: 1, overlapSeconds: 120 },
      rules: { maxClosureAgeHours: 0 }, writeBack: { debounceSeconds: 0 }, rateLimitPerSecond: 0,
    }),
  );
  sim.webhook.target = { url: `${url}/webhooks/servicenow/faults`, headers: { 'X-Feedback-Secret': 'fault-push-secret-0123' } };

  const workers: ChildProcess[] = [];
  const spawnWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'work'], { cwd: ROOT, env: { ...process.env, ...env, ROLES: 'worker' }, stdio: 'ignore' });
    workers.push(child);
  };
  for (let i = 0; i < W; i++) spawnWorker();

  const redis = new Redis(redisUrl);
  const chaos = { kills: 0, flushes: 0, pgDrops: 0, storms: 0 };
  let chaosOn = true;
  const chaosLoop = (async () => {
    const end = Date.now() + chaosSeconds * 1000;
    while (chaosOn && Date.now() < end) {
      await sleep(1500 + Math.random() * 2500);
      const what = Math.floor(Math.random() * 4);
      if (what === 0) {
        const live = workers.filter((w) => w.exitCode === null && w.signalCode === null);
        live[Math.floor(Math.random() * live.length)]?.kill('SIGKILL');
        spawnWorker();
        chaos.kills++;
      } else if (what === 1) {
        await deleteKeys(redis, `${prefix}:*`);
        chaos.flushes++;
      } else if (what === 2) {
        await adminQuery(dbUrl, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${databaseName(dbUrl.toString()).replace(/'/g, "''")}' AND pid <> pg_backend_pid()`);
        chaos.pgDrops++;
      } else {
        sim.setFaults({ rate429: 0.5, rate500: 0.3, retryAfterSeconds: 1, latencyMs: [5, 50] });
        await sleep(3000);
        sim.setFaults({ rate429: 0, rate500: 0, latencyMs: [0, 5] });
        chaos.storms++;
      }
    }
  })();

  // Closures: N people, one ticket each, closed at a steady pace (pushed and polled).
  const started = Date.now();
  const answered = new Set<string>();
  const closer = (async () => {
    for (let i = 0; i < N; i++) {
      const u = sim.createUser({ user_name: `f${i}`, name: `Fault ${i}`, email: `f${i}@example.com` });
      const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Fault ${i}` });
      sim.closeIncident(inc.sys_id!);
      if (i % 50 === 49) await sleep(100);
    }
  })();
  // Customers answer what arrives in the mail (30% unhappy).
  let closingDone = false;
  const answerer = (async () => {
    while (answered.size < N) {
      const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: Array<{ messageId: string; destination: { to: string[] }; body: { html?: string } }> };
      for (const m of emails) {
        if (answered.has(m.destination.to[0]!)) continue;
        const link = /href="(http[^"]+\/s\/[^"?]+)/.exec(m.body.html ?? '')?.[1];
        if (!link) continue;
        const path = new URL(link).pathname;
        try {
          const page = await fetch(`${url}${path}`);
          const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
          if (!csrf) continue;
          const i = Number(/f(\d+)@/.exec(m.destination.to[0]!)![1]);
          const r = await fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 faults' }, body: `_csrf=${encodeURIComponent(csrf)}&score=${i % 10 < 3 ? 1 : 5}` });
          if (r.status === 303) answered.add(m.destination.to[0]!);
        } catch {
          /* Postgres connections dropped mid-request: the customer tries again */
        }
      }
      if (Date.now() - started > (chaosSeconds + 240) * 1000) break;
      // Done when every survey has settled and every email that went out is answered (a survey whose
      // send was cut off by a SIGKILL is 'unknown' and, by design, never re-sent: no email to answer).
      if (closingDone && answered.size >= emails.length) {
        const open = await q(`SELECT count(*) AS n FROM surveys WHERE status IN ('scheduled', 'sending')`);
        const decided = await q(`SELECT count(*) AS n FROM closures WHERE status = 'decided'`);
        // Emails sent while this round was answering are answered in the next one.
        const sentNow = open === 0 && decided >= N ? ((await (await fetch(`${ses.url}/store`)).json()) as { emails: unknown[] }).emails.length : Infinity;
        if (answered.size >= sentNow) break;
      }
      await sleep(500);
    }
  })();

  await closer;
  await chaosLoop;
  chaosOn = false;
  closingDone = true;
  say(`chaos: ${chaos.kills} worker SIGKILLs, ${chaos.flushes} Redis wipes, ${chaos.pgDrops} Postgres connection drops, ${chaos.storms} 429/5xx storms`);
  await answerer;
  // Quiescence: every closure decided, every answer written, every unhappy customer has a task.
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const pending = await q(`SELECT (SELECT count(*) FROM closures WHERE status = 'pending') + (SELECT count(*) FROM writebacks WHERE status IN ('pending','claimed')) + (SELECT count(*) FROM follow_ups WHERE status IN ('pending','claimed')) + (SELECT count(*) FROM surveys WHERE status IN ('scheduled','sending')) AS n`);
    if (pending === 0 && (await q('SELECT count(*) AS n FROM closures')) >= N) break;
    await sleep(1000);
  }

  const closed = sim.table('incident').filter((r) => r.state === '7').length;
  const mails = (await (await fetch(`${ses.url}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
  const perRecipient = new Map<string, number>();
  for (const m of mails.emails) perRecipient.set(m.destination.to[0]!, (perRecipient.get(m.destination.to[0]!) ?? 0) + 1);
  const notes = sim.table('sys_journal_field').filter((j) => j.element === 'work_notes' && j.name === 'incident' && /Ref FB-A/.test(j.value ?? ''));
  const notesPerTicket = new Map<string, number>();
  for (const n of notes) notesPerTicket.set(n.element_id!, (notesPerTicket.get(n.element_id!) ?? 0) + 1);
  const tasksPerTicket = new Map<string, number>();
  for (const t of sim.table('incident_task')) tasksPerTicket.set(t.incident!, (tasksPerTicket.get(t.incident!) ?? 0) + 1);
  const counts = {
    closuresLost: closed - (await q('SELECT count(*) AS n FROM closures')),
    duplicateClosures: (await q('SELECT count(*) AS n FROM closures')) - (await q('SELECT count(DISTINCT ticket_id) AS n FROM closures')),
    duplicateSurveys: [...perRecipient.values()].filter((n) => n > 1).length,
    duplicateNotes: [...notesPerTicket.values()].filter((n) => n > 1).length,
    duplicateTasks: [...tasksPerTicket.values()].filter((n) => n > 1).length,
  };
  const context = {
    closures: closed,
    surveysSent: mails.emails.length,
    surveysUnknown: await q("SELECT count(*) AS n FROM surveys WHERE status = 'unknown'"),
    answers: answered.size,
    notes: notes.length,
    tasks: [...tasksPerTicket.values()].reduce((a, b) => a + b, 0),
    stillPending: await q("SELECT (SELECT count(*) FROM writebacks WHERE status IN ('pending','claimed')) + (SELECT count(*) FROM surveys WHERE status IN ('scheduled','sending')) + (SELECT count(*) FROM closures WHERE status = 'pending') + (SELECT count(*) FROM follow_ups WHERE status IN ('pending','claimed')) AS n"),
  };
  say(`counted: ${JSON.stringify(context)}`);
  if (counts.closuresLost > 0 || context.stillPending > 0) {
    // Where the work stopped: the poll cursor's health and the push notifications never processed.
    const cursor = await sql`SELECT cursor_at, last_started_at, last_succeeded_at, consecutive_failures, last_error FROM poll_cursors`.execute(service.ctx.db);
    const events = await q('SELECT count(*) AS n FROM inbound_events WHERE processed_at IS NULL');
    say(`diagnosis: poll cursor ${JSON.stringify(cursor.rows)}; unprocessed push notifications: ${events}; now ${new Date().toISOString()}`);
  }
  say(`closures lost: ${counts.closuresLost}; duplicate closures: ${counts.duplicateClosures}; duplicate surveys: ${counts.duplicateSurveys}; duplicate notes: ${counts.duplicateNotes}; duplicate tasks: ${counts.duplicateTasks}`);
  for (const w of workers) w.kill('SIGKILL');
  await service.stop();
  // The run's keys (delayed SLA checks, completed jobs) would stay on a shared Redis for good.
  await deleteKeys(redis, `${prefix}:*`);
  await redis.quit();
  await sim.close();
  await ses.close();
  const bad = Object.values(counts).some((n) => n !== 0) || context.stillPending > 0;
  say(bad ? 'FAULT SUITE FAILED' : 'fault suite passed: nothing lost, nothing twice');
  return bad ? 1 : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function adminQuery(dbUrl: URL, text: string) {
  await withAdminClient(dbUrl.toString(), (c) => c.query(text));
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`fault suite crashed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
