import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { databaseName, dropDatabase } from '../db/admin.js';
import { createDb } from '../db/client.js';
import { ensureDatabase, migrateBefore, migrateToLatest } from '../db/migrator.js';
import { deleteKeys } from '../redis/keys.js';
import { RedisFactory } from '../redis/factory.js';
import { SecretBox } from '../lib/secret-box.js';
import { newToken } from '../lib/tokens.js';
import { ConnectorStore } from '../store/connectors.js';
import { seedHistory, seedLiveSurvey } from './analytics-seed.js';
import { measureClosureCost } from './facts-cost.js';
import { percentile } from './stats.js';
import { DEPLOYED_HEAP_MB, DEPLOYED_SEMI_SPACE_MB, serviceV8Flags } from './v8-flags.js';

/**
 * npm run bench:analytics -- [--surveys 3000000] [--years 5] [--database NAME] [--keep] [--reuse] [--runs 20] [--heap-mb 192] [--semi-space-mb 4] [--no-build] [--skip-cost] [--analytics-pool N]
 *
 * Seeds a large service desk's history (see analytics-seed.ts) into its own database — NAME, or
 * the database of DATABASE_URL with "_analytics_bench" appended — in the schema before migrations
 * 0010/0011, applies those (the facts backfill and the rollups are timed), measures what the facts
 * triggers cost a closure, then starts the service (api role, compiled, with the Dockerfile's heap
 * cap) and prints per-endpoint p50/p95 over --runs sequential requests after two warm-ups, the
 * service's RSS, a CSV export of a year with its RSS growth, and the concurrency check: five 5-year
 * dashboards started and abandoned while /readyz and a customer's answer are timed. The database is
 * dropped afterwards unless --keep; --reuse measures a kept one again without seeding.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;
const CONNECTORS = { csat: 'bench-csat', nps: 'bench-nps' };

const out = (s: string) => process.stdout.write(`${s}\n`);
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);

function rssMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function main() {
  const { values } = parseArgs({
    options: {
      surveys: { type: 'string', default: '3000000' },
      years: { type: 'string', default: '5' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'boolean', default: false },
      runs: { type: 'string', default: '20' },
      'heap-mb': { type: 'string', default: String(DEPLOYED_HEAP_MB) },
      'semi-space-mb': { type: 'string', default: String(DEPLOYED_SEMI_SPACE_MB) },
      'no-build': { type: 'boolean', default: false },
      'skip-cost': { type: 'boolean', default: false },
      'analytics-pool': { type: 'string' },
    },
  });
  const surveys = Number(values.surveys);
  const years = Number(values.years);
  const runs = Number(values.runs);
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedback');
  const name = values.database ?? `${databaseName(base.toString())}_analytics_bench`;
  const dbUrl = new URL(base.toString());
  dbUrl.pathname = `/${name}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Bench-only keys, derived from the database name so that a kept database can be measured again.
  const secretKey = createHash('sha256').update(`bench-analytics-secret:${name}`).digest('hex');
  const adminToken = createHash('sha256').update(`bench-analytics-admin:${name}`).digest('hex');
  const prefix = `fbab${createHash('sha256').update(name + Date.now()).digest('hex').slice(0, 6)}`;

  const [l1, l5, l15] = loadavg();
  out(`bench:analytics — database "${name}", ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM (${(freemem() / 2 ** 30).toFixed(1)} GB free), load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)} / ${l15!.toFixed(2)} (1/5/15 min)`);

  const { db } = createDb(dbUrl.toString(), 4);
  const client = new pg.Client({ connectionString: dbUrl.toString(), application_name: 'bench-analytics' });
  let service: ChildProcess | null = null;
  // Any REDIS_URL form (node, Sentinel, Cluster), as the service reads it.
  const redis = new RedisFactory(redisUrl).create({ kind: 'bench' });
  try {
    const existing = values.reuse ? await countFacts(dbUrl.toString()) : 0;
    const liveToken = newToken();
    if (existing > 0) {
      out(`reusing the kept history: ${existing.toLocaleString('en')} facts`);
      await client.connect();
      await client.query(`DELETE FROM survey_tokens WHERE survey_id IN (SELECT id FROM surveys WHERE message_id = 'bench-live')`);
      await client.query(`INSERT INTO survey_tokens (token_hash, survey_id, purpose) SELECT $1, id, 'answer' FROM surveys WHERE message_id = 'bench-live'`, [liveToken.hash]);
    } else {
      await dropDatabase(dbUrl.toString());
      await ensureDatabase(dbUrl.toString());
      await migrateBefore(db, '0010');
      const store = new ConnectorStore(db, new SecretBox(Buffer.from(secretKey, 'hex')));
      for (const [scale, id] of Object.entries(CONNECTORS)) {
        await store.save(connectorDefinitionSchema.parse({ id, name: `Bench ${scale.toUpperCase()}`, kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, intake: { mode: 'push' }, survey: { scale }, analytics: { publicScoreboard: true } }));
      }
      await client.connect();
      const started = Date.now();
      out(`seeding ${surveys.toLocaleString('en')} surveys over ${years} years, 40 teams, 600 agents …`);
      await seedHistory(client, { surveys, years, connectors: CONNECTORS }, (what, t) => out(`  ${what.padEnd(12)} ${ms(t)}`));
      await seedLiveSurvey(client, CONNECTORS.csat, liveToken.hash);
      await client.query('VACUUM ANALYZE');
      out(`  seeded in ${ms(Date.now() - started)}`);
      const migrated = Date.now();
      const applied = await migrateToLatest(db);
      out(`migrations ${applied.join(', ')} (facts backfill, rollups built): ${ms(Date.now() - migrated)}`);
      await client.query('VACUUM ANALYZE survey_facts');
      await client.query('VACUUM ANALYZE rollup_team_daily');
      await client.query('VACUUM ANALYZE rollup_weekly');
      await client.query('VACUUM ANALYZE rollup_monthly');
    }
    await printSizes(client);

    if (!values['skip-cost']) {
      const cost = await measureClosureCost(client, CONNECTORS.csat, { blocks: 8, perBlock: 125 });
      out(`facts triggers per closure (${cost.closures} closures, ${cost.statementsPerClosure.toFixed(1)} statements each, one client, statement medians from 8 alternating blocks): ` +
        `${cost.withTriggersMs.toFixed(2)} ms with, ${cost.withoutTriggersMs.toFixed(2)} ms without → ${(cost.withTriggersMs - cost.withoutTriggersMs).toFixed(2)} ms per closure`);
    }

    if (!values['no-build']) {
      const build = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('build failed');
    }
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const heap = Number(values['heap-mb']);
    const env = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PUBLIC_URL: `http://127.0.0.1:${port}`, PORT: String(port), HOST: '127.0.0.1',
      ADMIN_TOKEN: adminToken, METRICS_TOKEN: randomBytes(16).toString('hex'), SECRET_KEY: secretKey, LOG_LEVEL: 'warn', MAIL_TRANSPORT: 'memory', ROLES: 'api',
      PAGE_RATE_LIMIT_PER_MINUTE: '100000', TOKEN_RATE_LIMIT_PER_MINUTE: '1000', BOT_MIN_SECONDS_AFTER_SEND: '0',
      ...(values['analytics-pool'] ? { ANALYTICS_DB_POOL_MAX: values['analytics-pool'] } : {}),
    };
    service = spawn(process.execPath, [...serviceV8Flags(heap, Number(values['semi-space-mb'])), 'dist/main.js', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const url = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, 60_000);
    const pid = service.pid!;
    out(`service: node dist/main.js serve (api), heap cap ${heap || 'none'} MB, analytics pool ${values['analytics-pool'] ?? 'default'}, statement timeout 20 s; RSS at start ${rssMb(pid).rss.toFixed(0)} MB`);

    const auth = { authorization: `Bearer ${adminToken}` };
    const today = new Date(ymd(new Date()) + 'T00:00:00Z');
    const last = ymd(today);
    const yearAgo = ymd(new Date(today.getTime() - 364 * DAY));
    const fiveYears = ymd(new Date(today.getTime() - (Math.round(years * 365.25) - 1) * DAY));
    const endpoints: [string, string][] = [
      ['dashboard, default (12 weeks, weekly)', '/admin/dashboard'],
      ['dashboard, one year (monthly)', `/admin/dashboard?from=${yearAgo}&to=${last}`],
      ['dashboard, one year, weekly', `/admin/dashboard?from=${yearAgo}&to=${last}&interval=week`],
      [`dashboard, ${years} years (monthly)`, `/admin/dashboard?from=${fiveYears}&to=${last}`],
      ['dashboard, one team, one year', `/admin/dashboard?from=${yearAgo}&to=${last}&team=${CONNECTORS.csat}:grp3`],
      [`dashboard, one team, ${years} years`, `/admin/dashboard?from=${fiveYears}&to=${last}&team=${CONNECTORS.csat}:grp3`],
      ['stats API, default (12 weeks, teams × weeks)', '/admin/stats?groupBy=team&interval=week'],
      ['stats API, one year (teams × months)', `/admin/stats?from=${yearAgo}&to=${last}&groupBy=team&interval=month`],
      [`stats API, ${years} years (teams × months)`, `/admin/stats?from=${fiveYears}&to=${last}&groupBy=team&interval=month`],
      ['stats API, one year, agents', `/admin/stats?from=${yearAgo}&to=${last}&groupBy=agent`],
      [`stats API, ${years} years, total`, `/admin/stats?from=${fiveYears}&to=${last}`],
      ['themes, default (12 weeks)', '/admin/stats/themes'],
      ['themes, one year', `/admin/stats/themes?from=${yearAgo}&to=${last}`],
      ['follow-ups, one year', `/admin/stats/follow-ups?from=${yearAgo}&to=${last}`],
      ['scoreboard (as served: cached a minute)', `/scoreboard/${CONNECTORS.csat}`],
    ];
    const first = await timeOnce(`${url}/scoreboard/${CONNECTORS.csat}?interval=month`, {});
    out(`\nscoreboard, first (uncached) load of the monthly view: ${ms(first.ms)}`);
    out(`\n${'endpoint'.padEnd(48)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}   (${runs} sequential requests after 2 warm-ups)`);
    for (const [label, path] of endpoints) {
      const headers = path.startsWith('/scoreboard') ? {} : auth;
      for (let i = 0; i < 2; i++) await timeOnce(url + path, headers);
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push((await timeOnce(url + path, headers)).ms);
      samples.sort((a, b) => a - b);
      out(`${label.padEnd(48)} ${ms(percentile(samples, 50)).padStart(8)} ${ms(percentile(samples, 95)).padStart(8)}`);
    }
    const afterQueries = rssMb(pid);
    out(`\nservice RSS after the endpoint runs: ${afterQueries.rss.toFixed(0)} MB (peak so far ${afterQueries.hwm.toFixed(0)} MB)`);

    // CSV export of a year, sampling the service's RSS meanwhile.
    const before = rssMb(pid).rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid).rss)), 20);
    const started = performance.now();
    const res = await fetch(`${url}/admin/export/answers.csv?from=${yearAgo}&to=${last}`, { headers: auth });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    const csvMs = performance.now() - started;
    clearInterval(sampler);
    out(`answers.csv of one year: ${ms(csvMs)}, ${(lines - 1).toLocaleString('en')} answers, ${(bytes / 2 ** 20).toFixed(1)} MB; service RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB)`);

    await concurrencyCheck(url, auth, fiveYears, last, liveToken.token, client);
    const end = rssMb(pid);
    out(`\nservice RSS at the end: ${end.rss.toFixed(0)} MB, peak ${end.hwm.toFixed(0)} MB`);
    const [e1, e5] = loadavg();
    out(`load average at the end: ${e1!.toFixed(2)} / ${e5!.toFixed(2)} (1/5 min)`);
  } finally {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    await deleteKeys(redis, `${prefix}:*`).catch(() => {});
    await redis.quit().catch(() => {});
    await client.end().catch(() => {});
    await db.destroy();
    if (!values.keep) {
      await dropDatabase(dbUrl.toString());
      out(`dropped database "${name}" (--keep keeps it)`);
    } else out(`kept database "${name}" (measure it again with --reuse)`);
  }
}

async function countFacts(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return Number((await c.query(`SELECT count(*) AS n FROM survey_facts`)).rows[0].n);
  } catch {
    return 0;
  } finally {
    await c.end().catch(() => {});
  }
}

async function printSizes(client: pg.Client) {
  const { rows } = await client.query(`
    SELECT relname, pg_size_pretty(pg_table_size(c.oid)) AS heap, pg_size_pretty(pg_indexes_size(c.oid)) AS indexes, reltuples::bigint AS rows
    FROM pg_class c WHERE relname IN ('surveys', 'responses', 'survey_facts', 'rollup_team_daily', 'rollup_weekly', 'rollup_monthly') ORDER BY relname`);
  out(`sizes: ${rows.map((r) => `${r.relname} ${Number(r.rows).toLocaleString('en')} rows, ${r.heap} + ${r.indexes} indexes`).join('; ')}`);
}

async function timeOnce(url: string, headers: Record<string, string>): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms: performance.now() - started, status: res.status };
}

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the service did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Five 5-year dashboards run and are abandoned; meanwhile /readyz and a customer's answer are timed. */
async function concurrencyCheck(url: string, auth: Record<string, string>, from: string, to: string, token: string, client: pg.Client) {
  const activeAnalytics = async () =>
    Number((await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'feedback-analytics' AND state = 'active'`)).rows[0].n);
  // A running service's pipeline keeps its pool's connections open and has answered surveys on
  // them; this api-only one has been idle for minutes (idle connections close after 30 s): one
  // answer and a few /readyz first, as traffic would have.
  await Promise.all([0, 1, 2].map(() => timeOnce(`${url}/readyz`, {})));
  await answerOnce(url, token, 4);
  // The same requests with no dashboard running: what the machine gives them anyway.
  const idleReady: number[] = [];
  const idleAnswer: number[] = [];
  for (let i = 0; i < 5; i++) {
    idleReady.push((await timeOnce(`${url}/readyz`, {})).ms);
    const t0 = performance.now();
    await answerOnce(url, token, 3 + (i % 3));
    idleAnswer.push(performance.now() - t0);
  }
  const controllers = Array.from({ length: 5 }, () => new AbortController());
  const dashboards = controllers.map((c, i) => fetch(`${url}/admin/dashboard?from=${from}&to=${to}&run=${i}`, { headers: auth, signal: c.signal }).then((r) => r.arrayBuffer(), () => null));
  await new Promise((r) => setTimeout(r, 250));
  const busy = await activeAnalytics();
  const ready: number[] = [];
  const answer: number[] = [];
  for (let i = 0; i < 5; i++) {
    ready.push((await timeOnce(`${url}/readyz`, {})).ms);
    const t0 = performance.now();
    await answerOnce(url, token, 3 + (i % 3));
    answer.push(performance.now() - t0);
  }
  const abandonedAt = performance.now();
  for (const c of controllers) c.abort();
  await Promise.all(dashboards);
  const readyAfter = (await timeOnce(`${url}/readyz`, {})).ms;
  let cancelledMs = NaN;
  for (let i = 0; i < 200; i++) {
    if ((await activeAnalytics()) === 0) {
      cancelledMs = performance.now() - abandonedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  out(`\nconcurrency, first without any dashboard: /readyz ${idleReady.map((x) => ms(x)).join(', ')}; a customer's answer ${idleAnswer.map((x) => ms(x)).join(', ')}`);
  out(`concurrency: five ${from}…${to} dashboards running (${busy} analytics queries active in Postgres), then abandoned:`);
  out(`  /readyz while they ran: ${ready.map((x) => ms(x)).join(', ')} (max ${ms(Math.max(...ready))}); right after abandoning them: ${ms(readyAfter)}`);
  out(`  a customer's answer (survey page + POST) while they ran: ${answer.map((x) => ms(x)).join(', ')} (max ${ms(Math.max(...answer))})`);
  out(`  analytics queries left running in Postgres after abandoning: none after ${ms(cancelledMs)}`);
}

/** A customer opens the survey page and submits a rating. */
async function answerOnce(url: string, token: string, score: number) {
  const page = await fetch(`${url}/s/${token}?r=${score}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`survey page: HTTP ${page.status}`);
  const posted = await fetch(`${url}/s/${token}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (bench) Firefox/130.0' }, body: new URLSearchParams({ _csrf: csrf, score: String(score), comment: 'answered during the load' }).toString() });
  await posted.arrayBuffer();
  if (posted.status !== 303) throw new Error(`survey answer: HTTP ${posted.status}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:analytics failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
