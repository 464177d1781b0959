#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadDbConfig, type DbConfig } from './config.js';
import { createLogger } from './logger.js';
import { createDb, type Db } from './db/client.js';
import { ensureDatabase, migrateToLatest } from './db/migrator.js';
import { SecretBox } from './lib/secret-box.js';
import { ConnectorStore } from './store/connectors.js';
import { startService } from './service.js';
import { requireReachable } from './startup/reachable.js';
import { StartupError } from './startup/startup-error.js';
import { HostPolicy } from './connectors/http/host-policy.js';

const USAGE = `Usage: feedback <command>

  serve                          run the roles in ROLES (default api,worker,scheduler)
  work                           run only the worker role (scale this out)
  migrate                        apply database migrations
  connectors apply <file> [--dry-run] [--prune]
                                 create/update connectors from a YAML or JSON file
  connectors list                list connectors (secrets masked)
  demo [--seconds N] [--embedded]
                                 run the service against the built-in simulators and show the loop;
                                 starts its own Postgres and Redis when none answer (--embedded: always)
  rollups rebuild                rebuild the analytics rollups from survey_facts (figures stay exact meanwhile)
  rollups status                 how far the analytics rollups reach, and how many days wait to be rebuilt
  targets apply <file> [--dry-run] [--prune]
                                 set score targets per team (and the default) from a YAML or JSON file
  feedback import <file.csv> [--partial]
                                 import non-survey feedback (focus groups, interviews, …); --partial
                                 imports the valid rows when some are not
`;

/** The composition root: the only place that reads process.env (through config) and wires things up. */
/**
 * The database of an operator command: DATABASE_URL must answer (one line naming it otherwise), the
 * database is created if missing and migrated, and closed when `run` ends.
 */
async function withMigratedDb(run: (db: Db, config: DbConfig, applied: string[]) => Promise<number>): Promise<number> {
  const config = loadDbConfig(process.env);
  await requireReachable([{ variable: 'DATABASE_URL', url: config.DATABASE_URL }]);
  await ensureDatabase(config.DATABASE_URL);
  const { db } = createDb(config.DATABASE_URL, 2);
  try {
    const applied = await migrateToLatest(db);
    return await run(db, config, applied);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  // A .env file next to the process is read if present; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, prune: { type: 'boolean' }, partial: { type: 'boolean' }, seconds: { type: 'string' }, embedded: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }

  switch (command) {
    case 'serve':
    case 'work': {
      const env = command === 'work' ? { ...process.env, ROLES: 'worker' } : process.env;
      const config = loadConfig(env);
      // Before anything is built on them: one clear line per dependency that does not answer.
      await requireReachable([
        { variable: 'DATABASE_URL', url: config.DATABASE_URL },
        { variable: 'REDIS_URL', url: config.REDIS_URL },
      ]);
      const logger = createLogger(config.LOG_LEVEL);
      const service = await startService(config, logger);
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          void service.stop().then(resolve);
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      return 0;
    }
    case 'migrate':
      return withMigratedDb(async (_db, _config, applied) => {
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
        return 0;
      });
    case 'connectors':
      return withMigratedDb(async (db, config) => {
        const store = new ConnectorStore(db, new SecretBox(config.SECRET_KEY));
        if (sub === 'apply' && arg) {
          const { applyConnectorsFile } = await import('./cli/connectors-apply.js');
          const report = await applyConnectorsFile(store, readFileSync(arg, 'utf8'), process.env, { dryRun: !!values['dry-run'], prune: !!values.prune, policy: { hostPolicy: new HostPolicy(config.ITSM_ALLOWED_HOSTS) } });
          (report.ok ? process.stdout : process.stderr).write(`${report.lines.join('\n')}\n`);
          return report.ok ? 0 : 1;
        }
        if (sub === 'list') {
          for (const c of await store.list()) process.stdout.write(`${c.id}\t${c.kind}\t${c.enabled ? 'enabled' : 'disabled'}\t${c.intake.mode}\t${c.baseUrl}\n`);
          return 0;
        }
        process.stderr.write(USAGE);
        return 2;
      });
    case 'rollups':
      return withMigratedDb(async (db) => {
        const started = Date.now();
        // Loaded by the command that uses it: `serve` stays free of the CLI's modules (RSS at start).
        const { rebuildRollups, rollupStatus } = await import('./analytics/facts/rollups.js');
        if (sub === 'rebuild') {
          const r = await rebuildRollups(db);
          process.stdout.write(`rebuilt ${r.daysRebuilt} days (${r.marked} marked) in ${((Date.now() - started) / 1000).toFixed(1)} s; rollups hold the days before ${r.until ?? '(none yet)'}\n`);
          return 0;
        }
        if (sub === 'status') {
          const r = await rollupStatus(db);
          process.stdout.write(`rollups hold the days before ${r.until ?? '(none yet)'}; ${r.dirtyLeft} days wait to be rebuilt (read from survey_facts meanwhile)\n`);
          return 0;
        }
        process.stderr.write(USAGE);
        return 2;
      });
    case 'targets':
    case 'feedback': {
      loadDbConfig(process.env); // bad configuration is reported before the usage
      if (!(command === 'targets' ? sub === 'apply' : sub === 'import') || !arg) {
        process.stderr.write(USAGE);
        return 2;
      }
      return withMigratedDb(async (db) => {
        const text = readFileSync(arg, 'utf8');
        const report = command === 'targets'
          ? await (await import('./targets/apply-file.js')).applyTargetsFile(db, text, { dryRun: !!values['dry-run'], prune: !!values.prune })
          : await (await import('./feedback-import/cli.js')).importFeedbackFile(db, text, { partial: !!values.partial });
        (report.ok ? process.stdout : process.stderr).write(`${report.lines.join('\n')}\n`);
        return report.ok ? 0 : 1;
      });
    }
    case 'demo': {
      const { runDemo } = await import('./demo/demo.js');
      return runDemo(process.env, { seconds: values.seconds ? Number(values.seconds) : undefined, embedded: !!values.embedded });
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(`${e.message}\nSee .env.example for every variable.\n`);
    else if (e instanceof StartupError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
