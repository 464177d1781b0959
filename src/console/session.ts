import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ColumnType, Kysely } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';
import { hashToken } from '../lib/tokens.js';

type SessionsTable = {
  console_sessions: {
    id_hash: Buffer;
    actor: string;
    csrf_token: string;
    created_at: ColumnType<Date, Date | undefined, never>;
    last_seen_at: ColumnType<Date, Date | undefined, Date>;
    expires_at: ColumnType<Date, Date, Date>;
    revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  };
};

export interface ConsoleSession {
  idHash: Buffer;
  actor: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Server-side console sessions: the cookie carries 32 random bytes; Postgres keeps their SHA-256, the
 * admin's name and the session's CSRF token. A session ends after `idleMinutes` without a request,
 * after `maxHours` in any case, or at logout (revoked: a copy of the cookie is worthless from then on).
 */
export class SessionStore {
  private readonly db: Kysely<Database & SessionsTable>;
  constructor(db: Db, private readonly opts: { idleMinutes: number; maxHours: number; now?: () => Date }) {
    this.db = db.withTables<SessionsTable>();
  }

  private now() {
    return this.opts.now?.() ?? new Date();
  }

  async create(actor: string): Promise<{ token: string; session: ConsoleSession }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: ConsoleSession = { idHash: hashToken(token), actor, csrfToken: randomBytes(24).toString('base64url'), expiresAt: new Date(now.getTime() + this.opts.maxHours * 3_600_000) };
    // Tidy up as sessions are made (rare), not on every request.
    await this.db.deleteFrom('console_sessions').where((eb) => eb.or([eb('expires_at', '<', now), eb('revoked_at', 'is not', null)])).execute();
    await this.db.insertInto('console_sessions').values({ id_hash: session.idHash, actor, csrf_token: session.csrfToken, expires_at: session.expiresAt, last_seen_at: now }).execute();
    return { token, session };
  }

  /** The live session for a cookie value, or null; refreshes its idle timer (at most once a minute). */
  async get(token: string | undefined): Promise<ConsoleSession | null> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const row = await this.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', hashToken(token)).executeTakeFirst();
    const now = this.now();
    if (!row || row.revoked_at || row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > this.opts.idleMinutes * 60_000) return null;
    if (now.getTime() - row.last_seen_at.getTime() > 60_000) await this.db.updateTable('console_sessions').set({ last_seen_at: now }).where('id_hash', '=', row.id_hash).execute();
    return { idHash: row.id_hash, actor: row.actor, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async revoke(session: ConsoleSession): Promise<void> {
    await this.db.updateTable('console_sessions').set({ revoked_at: this.now() }).where('id_hash', '=', session.idHash).execute();
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: ConsoleSession, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
