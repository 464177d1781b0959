import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { DigestStatus } from '../db/schema.js';

/**
 * The digest ledger (migrations/0030): one row per team and week, unique on (team, week). A digest
 * goes out at most once: the row is claimed (pending → sending) before the email leaves; afterwards
 * it is sent, failed (refused for good), or unknown (the outcome was lost: a timeout after the
 * request left, or a crash between claim and answer) — and an unknown digest is never re-sent.
 */
export interface DigestRow {
  id: string;
  connectorId: string;
  teamKey: string;
  teamLabel: string;
  periodStart: string;
  periodFrom: Date;
  periodTo: Date;
  timeZone: string;
  locale: string;
  recipient: string | null;
  status: DigestStatus;
  attempts: number;
  claimedAt: Date | null;
  sentAt: Date | null;
  messageId: string | null;
  reason: string | null;
}

const COLUMNS = sql`id::text AS id, connector_id AS "connectorId", team_key AS "teamKey", team_label AS "teamLabel", to_char(period_start, 'YYYY-MM-DD') AS "periodStart",
  period_from AS "periodFrom", period_to AS "periodTo", time_zone AS "timeZone", locale, recipient, status, attempts, claimed_at AS "claimedAt", sent_at AS "sentAt",
  message_id AS "messageId", reason`;

export interface NewDigest {
  connectorId: string;
  teamKey: string;
  teamLabel: string;
  period: { start: string; from: Date; to: Date; timeZone: string };
  locale: string;
  recipient: string | null;
  /** Why it will not be sent (no address): stored as 'skipped'. */
  skipReason: string | null;
}

/** Inserts the week's rows that do not exist yet (a second plan of the same week adds nothing). */
export async function insertDigests(db: Db, rows: readonly NewDigest[]): Promise<number> {
  if (!rows.length) return 0;
  const r = await db
    .insertInto('digests')
    .values(
      rows.map((d) => ({
        connector_id: d.connectorId, team_key: d.teamKey, team_label: d.teamLabel, period_start: d.period.start, period_from: d.period.from, period_to: d.period.to,
        time_zone: d.period.timeZone, locale: d.locale, recipient: d.recipient, status: d.skipReason ? ('skipped' as const) : ('pending' as const), reason: d.skipReason,
      })),
    )
    .onConflict((oc) => oc.columns(['team_key', 'period_start']).doNothing())
    .returning('id')
    .execute();
  return r.length;
}

export async function digestsOfWeek(db: Db, connectorId: string, periodStart: string): Promise<DigestRow[]> {
  const r = await sql<DigestRow>`SELECT ${COLUMNS} FROM digests WHERE connector_id = ${connectorId} AND period_start = ${periodStart}::date ORDER BY team_label, id`.execute(db);
  return r.rows;
}

export async function loadDigest(db: Db, id: string): Promise<DigestRow | null> {
  const r = await sql<DigestRow>`SELECT ${COLUMNS} FROM digests WHERE id = ${id}`.execute(db);
  return r.rows[0] ?? null;
}

export async function listDigests(db: Db, f: { status?: DigestStatus; period?: string; connectorId?: string; limit: number }): Promise<DigestRow[]> {
  const where = [sql`true`];
  if (f.status) where.push(sql`status = ${f.status}`);
  if (f.period) where.push(sql`period_start = ${f.period}::date`);
  if (f.connectorId) where.push(sql`connector_id = ${f.connectorId}`);
  const r = await sql<DigestRow>`SELECT ${COLUMNS} FROM digests WHERE ${sql.join(where, sql` AND `)} ORDER BY period_start DESC, team_label, id LIMIT ${f.limit}`.execute(db);
  return r.rows;
}

/** pending → sending; false when another worker claimed it first (or it is no longer pending). */
export async function claimDigest(db: Db, id: string): Promise<boolean> {
  const r = await sql`UPDATE digests SET status = 'sending', attempts = attempts + 1, claimed_at = now(), updated_at = now() WHERE id = ${id} AND status = 'pending'`.execute(db);
  return Number(r.numAffectedRows ?? 0n) === 1;
}

/** The email certainly did not leave: pending again, to be retried. */
export async function releaseDigest(db: Db, id: string): Promise<void> {
  await sql`UPDATE digests SET status = 'pending', claimed_at = NULL, updated_at = now() WHERE id = ${id} AND status = 'sending'`.execute(db);
}

export async function finishDigest(db: Db, id: string, outcome: { status: 'sent'; messageId: string } | { status: 'failed' | 'unknown'; reason: string }): Promise<void> {
  if (outcome.status === 'sent') {
    await sql`UPDATE digests SET status = 'sent', sent_at = now(), message_id = ${outcome.messageId}, reason = NULL, updated_at = now() WHERE id = ${id} AND status = 'sending'`.execute(db);
  } else {
    await sql`UPDATE digests SET status = ${outcome.status}, reason = ${outcome.reason.slice(0, 1000)}, updated_at = now() WHERE id = ${id} AND status = 'sending'`.execute(db);
  }
}

/** Claims older than `seconds` without an outcome: the process died between claim and answer. Unknown, never re-sent. */
export async function markLostDigests(db: Db, seconds: number): Promise<string[]> {
  const r = await sql<{ id: string }>`
    UPDATE digests SET status = 'unknown', reason = 'claimed for sending but no outcome was recorded (process crashed?); not re-sent', updated_at = now()
    WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => ${seconds})
    RETURNING id::text AS id`.execute(db);
  return r.rows.map((x) => x.id);
}

/** Pending rows older than `seconds` (their job may be lost): the reconciler enqueues them again. */
export async function pendingDigests(db: Db, seconds: number, limit = 500): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id::text AS id FROM digests WHERE status = 'pending' AND created_at <= now() - make_interval(secs => ${seconds}) ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}
