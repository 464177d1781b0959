import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';

/**
 * Keeping the rollups current (see migrations/0011_analytics_rollups.sql): move the bound forward,
 * then rebuild dirty days a month's worth at a time, each batch its own short transaction so that
 * writers never wait long. Figures are exact at every moment: what is not rebuilt yet is read from
 * survey_facts.
 */

const DAYS_PER_BATCH = 31;

export interface RefreshResult {
  /** The bound after the refresh (YYYY-MM-DD), null while nothing is held. */
  until: string | null;
  daysRebuilt: number;
  /** Dirty days left (when the time budget ran out). */
  dirtyLeft: number;
}

export async function refreshRollups(db: Db, opts: { budgetMs?: number; now?: () => number } = {}): Promise<RefreshResult> {
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.budgetMs ?? 60_000);
  await sql`SELECT analytics_rollups_advance()`.execute(db);
  let daysRebuilt = 0;
  while (now() < deadline) {
    const { rows } = await sql<{ n: number }>`SELECT analytics_rollups_process(${DAYS_PER_BATCH}) AS n`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    if (n === 0) break;
    daysRebuilt += n;
  }
  return { ...(await rollupStatus(db)), daysRebuilt };
}

/** `rollups rebuild`: every held day is marked dirty and rebuilt from survey_facts. */
export async function rebuildRollups(db: Db): Promise<RefreshResult & { marked: number }> {
  await sql`SELECT analytics_rollups_advance()`.execute(db);
  const { rows } = await sql<{ n: number }>`SELECT analytics_rollups_invalidate('-infinity'::date) AS n`.execute(db);
  let daysRebuilt = 0;
  for (;;) {
    const r = await refreshRollups(db, { budgetMs: Number.MAX_SAFE_INTEGER });
    daysRebuilt += r.daysRebuilt;
    if (r.dirtyLeft === 0) return { ...r, daysRebuilt, marked: Number(rows[0]?.n ?? 0) };
    // Another process (the service's refresher) holds the rebuild lock: wait for it, then go on.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function rollupStatus(db: Db): Promise<Omit<RefreshResult, 'daysRebuilt'>> {
  const { rows } = await sql<{ until: string | null; dirty: string }>`
    SELECT CASE WHEN materialized_until = '-infinity' THEN NULL ELSE to_char(materialized_until, 'YYYY-MM-DD') END AS until,
           (SELECT count(*) FROM analytics_dirty_days) AS dirty
    FROM analytics_rollup_state`.execute(db);
  return { until: rows[0]?.until ?? null, dirtyLeft: Number(rows[0]?.dirty ?? 0) };
}

/** Runs refreshRollups every `seconds` (scheduler role); one run at a time per process. */
export class RollupRefresher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly seconds: number,
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= refreshRollups(this.db, { budgetMs: Math.min(60_000, this.seconds * 500) })
        .then((r) => {
          if (r.daysRebuilt > 0) this.logger.info(r, 'analytics rollups refreshed');
        })
        .catch((err) => this.logger.warn({ err }, 'analytics rollup refresh failed; figures stay exact (read from survey_facts)'))
        .finally(() => (this.running = null));
    };
    tick();
    this.timer = setInterval(tick, this.seconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
