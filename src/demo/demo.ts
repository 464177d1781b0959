import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { databaseName, dropDatabase } from '../db/admin.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { startService } from '../service.js';
import { createServiceNowSim } from '../sim/servicenow/sim.js';
import { DEMO_PEOPLE, demoTicket } from './scenario.js';
import { printCursors, printDecisions, printLoop } from './print.js';
import { startSesEmulator } from './ses-emulator.js';
import { closeJiraIssue, JIRA_CONNECTOR_ID, jiraConnector, jiraTotals, seedJira, startJiraSim } from './jira.js';
import { DemoCustomers } from './customers.js';
import { demoHistory } from './history.js';
import { insertPastSurveys } from '../analytics/history.js';
import { seedActingOnFeedback } from './acting.js';
import { planDigests } from '../digest/plan.js';
import { Lifecycle, StopRequested } from '../embedded/lifecycle.js';
import { freePort, portIsFree } from '../embedded/ports.js';
import { PROJECT_DATA_DIR, provideDependencies } from '../embedded/provide.js';
import { requireReachable } from '../startup/reachable.js';
import { StartupError } from '../startup/startup-error.js';

type Env = Record<string, string | undefined>;

/** Values for a first run on a laptop; anything set in the environment or .env wins. */
const DEMO_DEFAULTS: Env = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/feedback',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ADMIN_TOKEN: 'demo-admin-token-change-me-0123456789',
  METRICS_TOKEN: 'demo-metrics-token-change-me-0123456789',
  // Demo only: a fixed key so that the demo connector stays readable across runs.
  SECRET_KEY: 'ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=',
  QUEUE_PREFIX: 'fbdemo',
  LOG_LEVEL: 'warn',
  RECONCILE_GRACE_SECONDS: '5',
  MAIL_FROM: 'service-desk@example.com',
  // Simulated customers answer a few seconds after the email: not a bot.
  BOT_MIN_SECONDS_AFTER_SEND: '2',
};

const CONNECTOR_ID = 'demo-servicenow';

/** The demo's own database next to the configured one (never the configured one itself), emptied each run. */
async function freshDemoDatabase(databaseUrl: string): Promise<string> {
  const url = new URL(databaseUrl);
  const base = databaseName(databaseUrl) || 'feedback';
  url.pathname = `/${base.endsWith('_demo') ? base : `${base}_demo`}`;
  await dropDatabase(url.toString());
  return url.toString();
}

export interface DemoOptions {
  seconds?: number;
  /** Start the embedded Postgres and a private Redis even if servers answer at the configured URLs. */
  embedded?: boolean;
}

/**
 * The whole loop as it stands, on one laptop: the service (all roles) against the built-in ServiceNow
 * and Jira simulators. Tickets close in both; each closure reaches the service by push (the Business
 * Rule's call, the Jira webhook) and by polling; every anti-spam decision is printed as it is made.
 * Everything the demo starts is registered on one lifecycle and stopped in reverse order — on Ctrl+C,
 * SIGTERM, at the end of --seconds, and when start-up fails half-way.
 */
export async function runDemo(env: Env, opts: DemoOptions): Promise<number> {
  const lifecycle = new Lifecycle().catchSignals();
  try {
    return await demo(env, opts, lifecycle);
  } catch (e) {
    if (e instanceof StopRequested) return 128 + (constants.signals[e.signalName] ?? 2); // as a shell reports a signal
    throw e;
  } finally {
    await lifecycle.stopAll();
  }
}

async function demo(env: Env, opts: DemoOptions, lifecycle: Lifecycle): Promise<number> {
  const out = process.stdout;
  const given = { ...DEMO_DEFAULTS, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v)) };
  const deps = await provideDependencies({
    databaseUrl: given.DATABASE_URL!,
    redisUrl: given.REDIS_URL!,
    forcedBy: opts.embedded ? '--embedded' : undefined,
    prefer: 'embedded',
    dataDir: PROJECT_DATA_DIR,
    say: (line) => out.write(`${line}\n`),
    lifecycle,
  });
  await requireReachable([
    { variable: 'DATABASE_URL', url: deps.databaseUrl },
    { variable: 'REDIS_URL', url: deps.redisUrl },
  ]);
  lifecycle.check();
  const databaseUrl = await freshDemoDatabase(deps.databaseUrl);
  const port = await demoPort(given.PORT, (line) => out.write(`${line}\n`));
  const ses = await startSesEmulator(8005);
  lifecycle.add('the SES emulator', () => ses.close());
  // The demo always mails through the local SES emulator, whatever .env says about mail.
  const config = loadConfig({
    ...given,
    DATABASE_URL: databaseUrl,
    REDIS_URL: deps.redisUrl,
    PORT: String(port),
    PUBLIC_URL: given.PUBLIC_URL ?? `http://localhost:${port}`,
    MAIL_TRANSPORT: 'ses',
    SES_ENDPOINT: ses.url,
    SES_REGION: 'eu-west-1',
    SES_ACCESS_KEY_ID: 'demo',
    SES_SECRET_ACCESS_KEY: 'demo',
  });
  const logger = createLogger(config.LOG_LEVEL);
  lifecycle.check();

  const sim = createServiceNowSim();
  const simUrl = await sim.listen(8081, '127.0.0.1').catch(() => sim.listen(0, '127.0.0.1'));
  lifecycle.add('the ServiceNow simulator', () => sim.close());
  const { jira, url: jiraUrl } = await startJiraSim(lifecycle);
  const service = await startService(config, logger);
  lifecycle.add('the service', () => service.stop(), config.SHUTDOWN_TIMEOUT_MS + 20_000);
  lifecycle.check();
  const pushSecret = randomBytes(16).toString('hex');

  await service.ctx.connectors.save(
    connectorDefinitionSchema.parse({
      id: CONNECTOR_ID,
      name: 'ServiceNow (simulated)',
      kind: 'servicenow',
      baseUrl: simUrl,
      auth: { type: 'basic', username: 'integration', password: 'integration-pass' },
      webhookSecret: pushSecret,
      intake: { mode: 'both', pollIntervalSeconds: 10, overlapSeconds: 120, initialLookbackHours: 0 },
      rules: { cooldownDays: 14, maxSurveysPer30Days: 4, exclude: { domains: ['contractor.example'], emails: ['vip.ceo@example.com'] } },
      // The optional second question on the survey page ("what mattered most?").
      survey: { scale: 'csat', defaultLocale: 'en', askWhatMattered: true, branding: { organisationName: 'Acme IT Service Desk' } },
      // Quick for the demo; the default waits two minutes so that a change of mind makes one note.
      writeBack: { debounceSeconds: 3 },
      // Weekly team digests (Monday 08:00 Berlin); Network's address comes from its ServiceNow group.
      analytics: {
        publicScoreboard: true,
        publicYouSaidWeDid: true,
        youSaidWeDidInEmail: true,
        digest: { enabled: true, day: 1, hour: 8, timeZone: 'Europe/Berlin', teamEmails: { 'Service Desk': 'service-desk-leads@it.example.com', 'End User Computing': 'euc-team@it.example.com' }, teamLocales: { 'End User Computing': 'de' } },
      },
    }),
  );
  // Its own secret: each connector verifies its own pushes (the Jira webhook is signed with it).
  const jiraSecret = randomBytes(16).toString('hex');
  await service.ctx.connectors.save(jiraConnector(jiraUrl, jiraSecret));
  await service.scheduler?.sync();
  sim.webhook.target = { url: `${service.url}/webhooks/servicenow/${CONNECTOR_ID}`, headers: { 'X-Feedback-Secret': pushSecret } };
  // service.url is set (the demo runs every role, the api one included); PUBLIC_URL only satisfies the type.
  const jiraPeople = seedJira(jira, service.url ?? config.PUBLIC_URL, jiraSecret);

  const users = DEMO_PEOPLE.map((p) => sim.createUser(p));
  const agent = sim.createUser({ user_name: 'agent.smith', name: 'Agent Smith', email: 'agent.smith@it.example.com' });
  const groups = ['Service Desk', 'Network', 'End User Computing'].map((name) => sim.createGroup({ name, ...(name === 'Network' ? { email: 'network-team@it.example.com' } : {}) }));
  // Eight weeks of answered surveys, so that the dashboard shows trends on first start.
  const agentsOf = (names: string[]) => names.map((name) => sim.createUser({ user_name: name.toLowerCase().replace(/\W+/g, '.'), name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@it.example.com` }));
  const teamAgents = [agentsOf(['Priya Nair', 'Tom Fischer', 'Sam Lee']), agentsOf(['Lukas Meyer', 'Grace Okafor', 'Ana Silva']), agentsOf(['Hana Sato', 'Ben Carter', 'Eva Novak'])];
  const teams = groups.map((g, i) => ({ id: g.sys_id!, name: g.name!, agents: teamAgents[i]!.map((a) => ({ id: a.sys_id!, name: a.name! })) }));
  const history = demoHistory({ connectorId: CONNECTOR_ID, now: new Date(), teams });
  await insertPastSurveys(service.ctx.db, history);
  // Targets, a done and an in-progress improvement initiative, imported focus-group feedback.
  const acting = await seedActingOnFeedback({ db: service.ctx.db, mirror: { ...service.ctx, publicUrl: config.PUBLIC_URL }, connectorId: CONNECTOR_ID, teams, now: new Date() });
  // One digest per team for the last full week, now: they appear in the mail viewer within seconds.
  const digests = await planDigests(service.ctx, CONNECTOR_ID);

  out.write(
    [
      '',
      'Closed-loop feedback: demo',
      `  service          ${service.url}   (admin token: ${config.ADMIN_TOKEN})`,
      `  ServiceNow sim   ${simUrl}   (control API under /sim, Table API under /api/now)`,
      `  Jira sim         ${jiraUrl}   (control API under /sim, REST API under /rest/api/3; project DEMO, connector ${JIRA_CONNECTOR_ID})`,
      `  mail viewer      ${ses.url}   (every survey sent; open one and answer it in your browser)`,
      `  admin console    ${service.url}/admin/   (sign in with your name and the admin token)`,
      `  dashboard        ${service.url}/admin/dashboard   (user: any, password: the admin token; ${history.length} surveys of history seeded)`,
      `  scoreboard       ${service.url}/scoreboard/${CONNECTOR_ID}   (public, opt-in per connector)`,
      `  you said, we did ${service.url}/you-said-we-did/${CONNECTOR_ID}   (public, opt-in per connector; done initiatives and their effect)`,
      `  initiatives      ${service.url}/admin/initiatives/${acting.done}/effect   (measured effect; in progress: #${acting.inProgress}${acting.mirrorKey ? `, mirrored as ${acting.mirrorKey}` : ''})`,
      `  targets          ${service.url}/admin/targets/status   (imported feedback: ${service.url}/admin/feedback/items, ${acting.items} items)`,
      `  team digests     ${digests.enqueued} for the week of ${digests.week} in the mail viewer; preview: ${service.url}/admin/digests/preview?team=${encodeURIComponent(`${CONNECTOR_ID}:${groups[0]!.sys_id}`)}`,
      `  try              curl -H "Authorization: Bearer ${config.ADMIN_TOKEN}" ${service.url}/admin/decisions`,
      '',
      'Tickets (INC…) close in the ServiceNow simulator every second, issues (DEMO-…) in the Jira simulator every',
      '3 seconds; each is pushed and polled; one decision per closure. Surveys go to the mail viewer; simulated',
      'customers answer two in three of them through the real page; each answer becomes a work note (ServiceNow)',
      'or internal comment (Jira) on the ticket, and each unhappy one a follow-up task or issue due in 24 hours:',
      '',
    ].join('\n'),
  );

  const since = new Date();
  const cursors = await printCursors(service.ctx.db);
  let lastId = cursors.decision;
  let n = 0;
  const closer = setInterval(() => {
    const t = demoTicket(n++, users, agent, groups);
    const inc = sim.createIncident(t.incident);
    sim.closeIncident(inc.sys_id!, t.close);
  }, 1000);
  // Jira issues close on their own, slower timer, so that both kinds of ticket interleave in the output.
  let jiraClosed = 0;
  const jiraCloser = setInterval(() => closeJiraIssue(jira, jiraClosed++, jiraPeople), 3000);
  const customers = new DemoCustomers(ses.url, out);
  let loopCursor = cursors.loop;
  const printer = setInterval(() => {
    void printDecisions(service.ctx.db, lastId, out).then((id) => (lastId = id));
    void printLoop(service.ctx.db, loopCursor, out).then((c) => (loopCursor = c));
    void customers.answerSome().catch(() => {});
  }, 500);

  await lifecycle.untilStopped(opts.seconds ? opts.seconds * 1000 : undefined);
  clearInterval(closer);
  clearInterval(jiraCloser);
  clearInterval(printer);
  lastId = await printDecisions(service.ctx.db, lastId, out);
  loopCursor = await printLoop(service.ctx.db, loopCursor, out);

  const summary = await service.ctx.db
    .selectFrom('survey_decisions')
    .select(['outcome', 'reason', (eb) => eb.fn.countAll<string>().as('n')])
    .where('decided_at', '>=', since)
    .groupBy(['outcome', 'reason'])
    .orderBy('outcome', 'desc')
    .execute();
  out.write(`\n${n} ServiceNow tickets and ${jiraClosed} Jira issues closed in this run. Decisions: ${summary.map((s) => `${s.reason} ${s.n}`).join(', ') || 'none yet'}\n`);
  const answers = await service.ctx.db.selectFrom('responses').select((eb) => eb.fn.countAll<string>().as('n')).where('submitted_at', '>=', since).executeTakeFirst();
  const sent = await service.ctx.db.selectFrom('surveys').select((eb) => eb.fn.countAll<string>().as('n')).where('sent_at', '>=', since).executeTakeFirst();
  const inJira = jiraTotals(jira);
  out.write(`Surveys sent: ${sent?.n ?? 0}; answers recorded: ${answers?.n ?? 0}; ServiceNow work notes: ${sim.table('sys_journal_field').length}, follow-up tasks: ${sim.table('incident_task').length}; Jira comments: ${inJira.comments}, follow-up issues: ${inJira.followUps}. Mail viewer: ${ses.url}\n`);
  return 0; // runDemo stops the service, the simulators and any server started for the demo
}

/** PORT if set (it must be free), else 3000, else any free port (printed), so a busy 3000 does not stop the demo. */
async function demoPort(configured: string | undefined, say: (line: string) => void): Promise<number> {
  if (configured) {
    if (!(await portIsFree(Number(configured)))) throw new StartupError(`port ${configured} (PORT) is in use: stop what listens there, or set PORT to a free port`);
    return Number(configured);
  }
  if (await portIsFree(3000)) return 3000;
  const port = await freePort();
  say(`port 3000 is in use: the service listens on ${port} instead`);
  return port;
}
