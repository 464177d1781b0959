import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { startService } from '../service.js';
import { createServiceNowSim } from '../sim/servicenow/sim.js';
import { DEMO_PEOPLE, demoTicket } from './scenario.js';
import { printDecisions } from './print.js';

type Env = Record<string, string | undefined>;

/** Values for a first run on a laptop; anything set in the environment or .env wins. */
const DEMO_DEFAULTS: Env = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/feedback_demo',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'http://localhost:3000',
  ADMIN_TOKEN: 'demo-admin-token-change-me-0123456789',
  // Demo only: a fixed key so that the demo connector stays readable across runs.
  SECRET_KEY: 'ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=',
  QUEUE_PREFIX: 'fbdemo',
  LOG_LEVEL: 'warn',
  RECONCILE_GRACE_SECONDS: '5',
};

const CONNECTOR_ID = 'demo-servicenow';

/**
 * The whole loop as it stands, on one laptop: the service (all roles) against the built-in ServiceNow
 * simulator. Tickets close in the simulator; each closure reaches the service by push (the Business
 * Rule's call) and by polling; every anti-spam decision is printed as it is made.
 */
export async function runDemo(env: Env, opts: { seconds?: number }): Promise<number> {
  const config = loadConfig({ ...DEMO_DEFAULTS, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v)) });
  const logger = createLogger(config.LOG_LEVEL);

  const sim = createServiceNowSim();
  const simUrl = await sim.listen(8081, '127.0.0.1').catch(() => sim.listen(0, '127.0.0.1'));
  const service = await startService(config, logger);
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
    }),
  );
  await service.scheduler?.sync();
  sim.webhook.target = { url: `${service.url}/webhooks/servicenow/${CONNECTOR_ID}`, headers: { 'X-Feedback-Secret': pushSecret } };

  const users = DEMO_PEOPLE.map((p) => sim.createUser(p));
  const agent = sim.createUser({ user_name: 'agent.smith', name: 'Agent Smith', email: 'agent.smith@it.example.com' });
  const groups = ['Service Desk', 'Network', 'End User Computing'].map((name) => sim.createGroup({ name }));

  const out = process.stdout;
  out.write(
    [
      '',
      'Closed-loop feedback: demo',
      `  service          ${service.url}   (admin token: ${config.ADMIN_TOKEN})`,
      `  ServiceNow sim   ${simUrl}   (control API under /sim, Table API under /api/now)`,
      `  try              curl -H "Authorization: Bearer ${config.ADMIN_TOKEN}" ${service.url}/admin/decisions`,
      '',
      'Tickets close in the simulator every second; each is pushed and polled; one decision per closure:',
      '',
    ].join('\n'),
  );

  const since = new Date();
  let lastId = '0';
  let n = 0;
  const closer = setInterval(() => {
    const t = demoTicket(n++, users, agent, groups);
    const inc = sim.createIncident(t.incident);
    sim.closeIncident(inc.sys_id!, t.close);
  }, 1000);
  const printer = setInterval(() => {
    void printDecisions(service.ctx.db, lastId, out).then((id) => (lastId = id));
  }, 300);

  await new Promise<void>((resolve) => {
    const timer = opts.seconds ? setTimeout(resolve, opts.seconds * 1000) : null;
    const stop = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(closer);
  clearInterval(printer);
  lastId = await printDecisions(service.ctx.db, lastId, out);

  const summary = await service.ctx.db
    .selectFrom('survey_decisions')
    .select(['outcome', 'reason', (eb) => eb.fn.countAll<string>().as('n')])
    .where('decided_at', '>=', since)
    .groupBy(['outcome', 'reason'])
    .orderBy('outcome', 'desc')
    .execute();
  out.write(`\n${n} tickets closed in this run. Decisions: ${summary.map((s) => `${s.reason} ${s.n}`).join(', ') || 'none yet'}\n`);
  await service.stop();
  await sim.close();
  return 0;
}
