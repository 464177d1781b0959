import { sql } from 'kysely';
import type { Db } from '../db/client.js';

/**
 * Outbound work (a write-back, a follow-up task) is claimed in Postgres before its ITSM call, and the
 * claim is a lease: its worker keeps it fresh while the call runs (429 waits, retries), so it lapses
 * only when that worker is gone; then another takes over and looks for the marker first. Keeping fresh
 * and giving back are fenced by the attempt number: a worker whose claim lapsed and was taken over must
 * not touch its successor's.
 */
export interface LeasedWork {
  table: 'writebacks' | 'follow_ups' | 'initiative_mirrors';
  /** The column that holds the lease's last renewal. */
  renewedAt: 'claimed_at' | 'updated_at';
}

/** The row can be claimed now: pending, or claimed with a lapsed lease. For the claiming UPDATE's WHERE. */
export function claimable(work: LeasedWork, leaseMs: number) {
  return sql<boolean>`(status = 'pending' OR (status = 'claimed' AND ${sql.ref(work.renewedAt)} < now() - make_interval(secs => ${leaseMs / 1000})))`;
}

/**
 * Runs `call` under the claim taken as `attempt`: renewed every third of the lease, and given back at
 * once if the call fails, so that the retry need not wait for it to lapse (it is still attempt > 1 and
 * looks for the marker first).
 */
export async function underClaim<T>(db: Db, work: LeasedWork, id: string, attempt: number, leaseMs: number, call: () => Promise<T>): Promise<T> {
  const claimed = sql`id = ${id} AND status = 'claimed' AND attempts = ${attempt}`;
  const renew = () => sql`UPDATE ${sql.table(work.table)} SET ${sql.ref(work.renewedAt)} = now() WHERE ${claimed}`.execute(db).catch(() => {});
  const timer = setInterval(() => void renew(), Math.max(500, Math.floor(leaseMs / 3)));
  timer.unref();
  try {
    return await call();
  } catch (e) {
    await sql`UPDATE ${sql.table(work.table)} SET status = 'pending', ${sql.ref(work.renewedAt)} = now() WHERE ${claimed}`.execute(db).catch(() => {});
    throw e;
  } finally {
    clearInterval(timer);
  }
}
