import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { catalog } from '../pipeline/catalog.js';
import type { Queues } from '../pipeline/queues.js';
import type { ConnectorStore } from '../store/connectors.js';
import { cronPattern, lastFullWeek, lastSendMoment } from './period.js';

const SCHEDULER = (connectorId: string) => `digest-every-${connectorId}`;
/** A week whose digests were not planned at their time (the scheduler or Redis was down) is caught up within this long. */
const CATCH_UP_MS = 24 * 3600_000;

/**
 * The digest's BullMQ job schedulers, owned by the scheduler role and re-asserted on every tick like
 * the poll schedules: one per connector with analytics.digest.enabled, firing at its day and hour in
 * its time zone (cron with tz), removed when the digest is turned off. A week that should have been
 * planned within the last 24 hours but has no ledger row (the schedule fired while nothing ran, or
 * Redis lost it) is planned now.
 */
export async function syncDigestSchedules(deps: { queues: Queues; connectors: ConnectorStore; db: Db; logger: Logger; now: () => Date }): Promise<void> {
  const queue = deps.queues.get('digestplan');
  const wanted = new Map((await deps.connectors.list({ enabledOnly: true })).filter((c) => c.analytics.digest.enabled).map((c) => [SCHEDULER(c.id), c] as const));
  const existing = await queue.getJobSchedulers(0, -1);
  for (const s of existing) {
    if (s.key.startsWith('digest-every-') && !wanted.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      deps.logger.info({ scheduler: s.key }, 'digest schedule removed');
    }
  }
  const { attempts, backoff } = catalog.digestplan.options;
  for (const [key, c] of wanted) {
    const s = c.analytics.digest;
    const pattern = cronPattern(s);
    const current = existing.find((x) => x.key === key);
    await queue.upsertJobScheduler(key, { pattern, tz: s.timeZone }, { name: 'digestplan', data: { connectorId: c.id }, opts: { attempts, backoff, removeOnComplete: true, removeOnFail: { count: 100 } } });
    if (current?.pattern !== pattern || current?.tz !== s.timeZone) deps.logger.info({ connectorId: c.id, pattern, timeZone: s.timeZone }, 'digest scheduled');

    const now = deps.now();
    const due = lastSendMoment(now, s);
    if (now.getTime() - due.getTime() > CATCH_UP_MS) continue;
    const week = lastFullWeek(due, s.timeZone).start;
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM digests WHERE connector_id = ${c.id} AND period_start = ${week}::date`.execute(deps.db);
    if (!rows[0]?.n) await deps.queues.enqueue('digestplan', { connectorId: c.id, period: week });
  }
}
