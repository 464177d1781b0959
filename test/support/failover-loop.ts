import { mkdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { connectorDefinitionSchema } from '../../src/connectors/registry.js';
import { startSesEmulator } from '../../src/demo/ses-emulator.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import { createServiceNowSim } from '../../src/sim/servicenow/sim.js';
import { createTestEnv, waitFor, type TestEnv } from './env.js';
import { spawnMain, type Spawned } from './process.js';
import type { LocalTopology } from './redis-topology.js';

/**
 * The whole loop on a real Redis topology with two worker processes, through the crash of a Redis
 * master: closures arrive by webhook (and polling) before, during and after the crash; customers answer
 * every survey they get (30% unhappy); then everything is counted. Used by the Cluster and Sentinel tests.
 */
export interface FailoverResult {
  topology: string;
  closures: number;
  killedPort: number;
  /** From the SIGKILL to the first /readyz 503, and to the first 200 after it. */
  readyDownAfterMs: number | null;
  readyBackAfterMs: number | null;
  /** From the SIGKILL to the first survey sent after it (the pipeline moving again). */
  firstSendAfterMs: number | null;
  readyDownReason: string | null;
  counts: { closuresLost: number; duplicateClosures: number; duplicateSurveys: number; surveysNotSent: number; answersWithoutNote: number; duplicateNotes: number; detractorsWithoutTask: number; duplicateTasks: number };
  totals: { surveysSent: number; surveysUnknown: number; answers: number; notes: number; tasks: number };
  /** Bounded-rate Redis error lines per process and kind of client (worker logs and the api's). */
  redisErrorLines: Record<string, number>;
  /** Every other error-level line (a BullMQ 'worker error' per queue would show here). */
  workerErrorLines: number;
}

const PUSH_SECRET = 'failover-push-secret-0123';

export async function runFailoverLoop(topology: LocalTopology, opts: { name: string; closures: number; victim: (te: TestEnv) => number }): Promise<FailoverResult> {
  const N = opts.closures;
  const sim = createServiceNowSim({ seed: 11 });
  await sim.listen(0, '127.0.0.1');
  const ses = await startSesEmulator(0);
  const te = await createTestEnv({
    REDIS_URL: topology.url,
    LOG_LEVEL: 'warn',
    MAIL_TRANSPORT: 'ses', SES_ENDPOINT: ses.url, SES_ACCESS_KEY_ID: 'x', SES_SECRET_ACCESS_KEY: 'x', MAIL_MAX_PER_SECOND: '500',
    WORKER_CONCURRENCY: '5',
    // The reconciler puts back what the crash took (async replication loses the last writes).
    RECONCILE_INTERVAL_SECONDS: '2', RECONCILE_GRACE_SECONDS: '3', RECONCILE_STUCK_SECONDS: '8', SCHEDULER_SYNC_SECONDS: '2', JOB_LOCK_MS: '4000',
  });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  let service: RunningService | null = null;
  const workers: Spawned[] = [];
  try {
    service = await startService(loadConfig({ ...te.env, ROLES: 'api,scheduler' }), createLogger('warn', sink));
    const url = service.url!;
    await service.ctx.connectors.save(
      connectorDefinitionSchema.parse({
        id: 'fo', name: 'failover', kind: 'servicenow', baseUrl: sim.url, auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
        webhookSecret: PUSH_SECRET, intake: { mode: 'both', pollIntervalSeconds: 5, pageSize: 500, initialLookbackHours: 1, overlapSeconds: 120 },
        rules: { maxClosureAgeHours: 0 }, writeBack: { debounceSeconds: 0 }, rateLimitPerSecond: 0,
      }),
    );
    sim.webhook.target = { url: `${url}/webhooks/servicenow/fo`, headers: { 'X-Feedback-Secret': PUSH_SECRET } };
    for (let i = 0; i < 2; i++) workers.push(spawnMain(['work'], { ...te.env, ROLES: 'worker' }));

    const count = async (text: string) => Number((await sql<{ n: string }>`${sql.raw(text)}`.execute(te.db)).rows[0]!.n);
    const sentCount = () => count(`SELECT count(*) AS n FROM surveys WHERE status = 'sent'`);

    // Readiness, watched every 200 ms from before the crash.
    const ready: Array<{ at: number; status: number; redis?: string }> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
          const body = (await r.json()) as { checks: { redis: string } };
          ready.push({ at: Date.now(), status: r.status, redis: body.checks.redis });
        } catch {
          ready.push({ at: Date.now(), status: 0 });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // Customers answer what arrives in their mailbox.
    const answered = new Map<string, number>();
    let answering = true;
    const answerer = (async () => {
      while (answering) {
        const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { html?: string } }> };
        for (const m of emails) {
          const to = m.destination.to[0]!;
          if (answered.has(to)) continue;
          const path = /href="http[^"]+?(\/s\/[^"?]+)/.exec(m.body.html ?? '')?.[1];
          if (!path) continue;
          const i = Number(/fo(\d+)@/.exec(to)![1]);
          const score = i % 10 < 3 ? 1 : 5;
          try {
            const page = await fetch(`${url}${path}`);
            const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
            if (!csrf) continue;
            const r = await fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 failover' }, body: `_csrf=${encodeURIComponent(csrf)}&score=${score}` });
            if (r.status === 303) answered.set(to, score);
          } catch {
            /* the customer tries again */
          }
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    // Closures: one person per ticket, 5 per second; the master dies once a third of the surveys are out.
    let killedAt = 0;
    let killedPort = 0;
    for (let i = 0; i < N; i++) {
      const u = sim.createUser({ user_name: `fo${i}`, name: `Failover ${i}`, email: `fo${i}@example.com` });
      const inc = sim.createIncident({ caller_id: u.sys_id!, short_description: `Failover ${i}` });
      sim.closeIncident(inc.sys_id!);
      await new Promise((r) => setTimeout(r, 200));
      if (!killedAt && i >= N / 3) {
        await waitFor('a third of the surveys sent before the crash', async () => (await sentCount()) >= Math.floor(N / 3), 90_000, 200);
        killedPort = opts.victim(te);
        topology.kill(killedPort);
        killedAt = Date.now();
      }
    }
    try {
      await waitFor('a survey sent after the crash', async () => (await count(`SELECT count(*) AS n FROM surveys WHERE status = 'sent' AND sent_at > to_timestamp(${killedAt / 1000})`)) > 0, 60_000, 200);
    } catch (e) {
      // What a failure needs explained: where the topology says the data is now, what /readyz said
      // last, where the work stands, and what the workers printed last.
      let now = 'unknown';
      try {
        now = String(opts.victim(te));
      } catch (err) {
        now = (err as Error).message;
      }
      const surveys = (await sql<{ status: string; n: string }>`SELECT status, count(*) AS n FROM surveys GROUP BY status`.execute(te.db)).rows.map((r) => `${r.status} ${r.n}`).join(', ');
      const pending = await count(`SELECT count(*) AS n FROM closures WHERE status = 'pending'`);
      const tails = workers.map((w, i) => `worker ${i + 1}: ${w.output().slice(-600)}`).join('\n');
      throw new Error(`${(e as Error).message}; killed ${killedPort}, now ${now}; last /readyz ${JSON.stringify(ready.at(-1))}; surveys ${surveys}; closures pending ${pending}\n${tails}`);
    }
    const firstSend = await te.db.selectFrom('surveys').select((eb) => eb.fn.min('sent_at').as('t')).where('sent_at', '>', new Date(killedAt)).executeTakeFirst();

    // Quiescence: every closure decided, every survey out, every answer written back, every detractor's task made.
    await waitFor(
      'the loop to finish',
      async () => {
        const closures = await count('SELECT count(*) AS n FROM closures');
        const open = await count(`SELECT (SELECT count(*) FROM closures WHERE status = 'pending') + (SELECT count(*) FROM surveys WHERE status IN ('scheduled','sending')) + (SELECT count(*) FROM writebacks WHERE status IN ('pending','claimed')) + (SELECT count(*) FROM follow_ups WHERE status IN ('pending','claimed')) AS n`);
        const sent = await sentCount();
        return closures >= N && open === 0 && answered.size >= sent && (await count('SELECT count(*) AS n FROM responses')) >= answered.size;
      },
      150_000,
      500,
    );
    // One more reconciler round, so a late duplicate would have had its chance to appear.
    await new Promise((r) => setTimeout(r, 3000));
    answering = false;
    watching = false;
    await Promise.all([answerer, watcher]);

    const mails = (await (await fetch(`${ses.url}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
    const perRecipient = new Map<string, number>();
    for (const m of mails.emails) perRecipient.set(m.destination.to[0]!, (perRecipient.get(m.destination.to[0]!) ?? 0) + 1);
    const ticketOf = new Map(sim.table('incident').map((r) => [r.sys_id!, r]));
    const notes = sim.table('sys_journal_field').filter((j) => j.element === 'work_notes' && j.name === 'incident' && /Ref FB-A/.test(j.value ?? ''));
    const notesPerTicket = new Map<string, number>();
    for (const n of notes) notesPerTicket.set(n.element_id!, (notesPerTicket.get(n.element_id!) ?? 0) + 1);
    const tasksPerTicket = new Map<string, number>();
    for (const t of sim.table('incident_task')) tasksPerTicket.set(t.incident!, (tasksPerTicket.get(t.incident!) ?? 0) + 1);
    const emailOfTicket = (sysId: string) => `fo${/Failover (\d+)/.exec(ticketOf.get(sysId)?.short_description ?? '')?.[1]}@example.com`;
    const answeredTickets = [...ticketOf.keys()].filter((id) => answered.has(emailOfTicket(id)));
    const detractorTickets = answeredTickets.filter((id) => answered.get(emailOfTicket(id)) === 1);
    const closuresInDb = await count('SELECT count(*) AS n FROM closures');
    const surveysDecided = await count(`SELECT count(*) AS n FROM surveys`);
    const surveysUnknown = await count(`SELECT count(*) AS n FROM surveys WHERE status = 'unknown'`);
    const closedInSim = sim.table('incident').filter((r) => r.state === '7').length;

    const since = (t: number | undefined) => (t === undefined ? null : t - killedAt);
    const down = ready.find((r) => r.at > killedAt && r.status !== 200);
    const back = down ? ready.find((r) => r.at > down.at && r.status === 200) : undefined;
    const redisErrorLines: Record<string, number> = {};
    let workerErrorLines = 0;
    const scan = (who: string, lines: string[]) => {
      for (const line of lines) {
        let o: { msg?: string; client?: string; level?: number };
        try {
          o = JSON.parse(line);
        } catch {
          continue;
        }
        if (o.msg?.startsWith('redis error')) redisErrorLines[`${who} ${o.client}`] = (redisErrorLines[`${who} ${o.client}`] ?? 0) + 1;
        else if (o.msg === 'worker error') workerErrorLines++;
      }
    };
    scan('api', logs);
    workers.forEach((w, i) => scan(`worker${i + 1}`, w.output().split('\n')));

    const result: FailoverResult = {
      topology: opts.name,
      closures: N,
      killedPort,
      readyDownAfterMs: since(down?.at),
      readyBackAfterMs: since(back?.at),
      readyDownReason: down?.redis ?? null,
      firstSendAfterMs: since(firstSend?.t ? new Date(firstSend.t as unknown as string).getTime() : undefined),
      counts: {
        closuresLost: closedInSim - closuresInDb,
        duplicateClosures: closuresInDb - (await count('SELECT count(DISTINCT ticket_id) AS n FROM closures')),
        duplicateSurveys: [...perRecipient.values()].filter((n) => n > 1).length,
        surveysNotSent: surveysDecided - mails.emails.length + [...perRecipient.values()].reduce((a, n) => a + (n - 1), 0) - surveysUnknown,
        answersWithoutNote: answeredTickets.filter((id) => !notesPerTicket.has(id)).length,
        duplicateNotes: [...notesPerTicket.values()].filter((n) => n > 1).length,
        detractorsWithoutTask: detractorTickets.filter((id) => !tasksPerTicket.has(id)).length,
        duplicateTasks: [...tasksPerTicket.values()].filter((n) => n > 1).length,
      },
      totals: { surveysSent: mails.emails.length, surveysUnknown, answers: answered.size, notes: notes.length, tasks: sim.table('incident_task').length },
      redisErrorLines,
      workerErrorLines,
    };
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync(`test-artifacts/redis-failover-${opts.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    sim.webhook.target = null;
    await Promise.all(
      workers.map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
        await w.exited;
        clearTimeout(timer);
      }),
    );
    await service?.stop();
    await sim.close();
    await ses.close();
    await te.cleanup();
  }
}
