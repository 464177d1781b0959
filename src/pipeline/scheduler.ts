import type { Logger } from '../logger.js';
import type { ConnectorStore } from '../store/connectors.js';
import { catalog } from './catalog.js';
import type { Queues } from './queues.js';

const POLL_SCHEDULER = (connectorId: string) => `poll-every-${connectorId}`;
const RECONCILE_SCHEDULER = 'reconcile-every';

/**
 * The one place that owns BullMQ job schedulers. It re-asserts them on a timer, so connector changes
 * take effect within one tick and a Redis that lost its data gets its schedules back.
 */
export class SchedulerRole {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly queues: Queues,
    private readonly connectors: ConnectorStore,
    private readonly logger: Logger,
    private readonly opts: { syncSeconds: number; reconcileSeconds: number },
    /** Other schedules this role owns, re-asserted on the same tick (the team digest's). */
    private readonly more: ReadonlyArray<() => Promise<void>> = [],
  ) {}

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      this.running ??= this.sync()
        .catch((err) => this.logger.error({ err }, 'scheduler sync failed'))
        .finally(() => (this.running = null));
    }, this.opts.syncSeconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sync(): Promise<void> {
    await this.queues
      .get('maintenance')
      .upsertJobScheduler(RECONCILE_SCHEDULER, { every: this.opts.reconcileSeconds * 1000 }, { name: 'maintenance', data: { task: 'reconcile' }, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });

    const wanted = new Map(
      (await this.connectors.list({ enabledOnly: true }))
        .filter((c) => c.intake.mode !== 'push')
        .map((c) => [POLL_SCHEDULER(c.id), c] as const),
    );
    const pollQueue = this.queues.get('poll');
    const existing = await pollQueue.getJobSchedulers(0, -1);
    for (const s of existing) {
      if (s.key.startsWith('poll-every-') && !wanted.has(s.key)) {
        await pollQueue.removeJobScheduler(s.key);
        this.logger.info({ scheduler: s.key }, 'poll schedule removed');
      }
    }
    // Upserted every tick, even when unchanged: a wipe racing the workers can leave a schedule without its
    // next job, and then it never fires again. BullMQ's upsert replaces a pending next job at the same time
    // (no extra poll) or adds the missing one.
    for (const [key, c] of wanted) {
      const current = existing.find((s) => s.key === key);
      const { attempts, backoff } = catalog.poll.options;
      await pollQueue.upsertJobScheduler(key, { every: c.intake.pollIntervalSeconds * 1000 }, { name: 'poll', data: { connectorId: c.id }, opts: { attempts, backoff, removeOnComplete: true, removeOnFail: { count: 100 } } });
      if (Number(current?.every) !== c.intake.pollIntervalSeconds * 1000) this.logger.info({ connectorId: c.id, everySeconds: c.intake.pollIntervalSeconds }, 'poll scheduled');
    }
    for (const sync of this.more) await sync();
  }
}
