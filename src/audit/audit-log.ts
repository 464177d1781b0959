import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';
import { csvLine } from '../analytics/csv.js';
import type { Actor } from './actor.js';

export interface AuditLogTable {
  id: import('kysely').Generated<string>;
  at: import('kysely').ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  channel: 'console' | 'api';
  action: string;
  target_type: string;
  target_id: string | null;
  before: import('kysely').ColumnType<unknown, string | null, never>;
  after: import('kysely').ColumnType<unknown, string | null, never>;
  detail: string | null;
}
type AuditDb = Kysely<Database & { audit_log: AuditLogTable }>;

export interface AuditEntryInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Secrets must already be masked (maskSecrets). */
  before?: unknown;
  after?: unknown;
  detail?: string | null;
}

export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  channel: 'console' | 'api';
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  detail: string | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  beforeId?: string;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The audit log: written by the admin API routes (and so by the console, which calls them) and by console-only actions. */
export class AuditLog {
  private readonly db: AuditDb;
  constructor(db: Db) {
    this.db = db.withTables<{ audit_log: AuditLogTable }>();
  }

  async record(actor: Actor, e: AuditEntryInput): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ actor: actor.name, channel: actor.channel, action: e.action, target_type: e.targetType, target_id: e.targetId ?? null, before: json(e.before), after: json(e.after), detail: e.detail ?? null })
      .execute();
  }

  async list(f: AuditFilter = {}): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.min(f.limit ?? 100, 10_000));
    if (f.actor) q = q.where('actor', 'ilike', `%${escapeLike(f.actor)}%`);
    if (f.action) q = q.where('action', 'like', `${escapeLike(f.action)}%`);
    if (f.target) q = q.where((eb) => eb.or([eb('target_id', 'ilike', `%${escapeLike(f.target!)}%`), eb('target_type', '=', f.target!)]));
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    if (f.beforeId) q = q.where('id', '<', f.beforeId);
    return (await q.execute()).map((r) => ({ id: String(r.id), at: r.at, actor: r.actor, channel: r.channel, action: r.action, targetType: r.target_type, targetId: r.target_id, before: r.before, after: r.after, detail: r.detail }));
  }

  /** The distinct actions recorded so far (for the filter's choices). */
  async actions(): Promise<string[]> {
    return (await this.db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute()).map((r) => r.action);
  }

  /** Erasure: an erased person's address no longer appears in the log (entries stay, the address is masked). */
  async maskTarget(targetId: string, replacement: string): Promise<void> {
    await sql`UPDATE audit_log SET target_id = ${replacement},
                before = CASE WHEN before IS NULL THEN NULL ELSE replace(before::text, ${JSON.stringify(targetId).slice(1, -1)}, ${replacement})::jsonb END,
                after = CASE WHEN after IS NULL THEN NULL ELSE replace(after::text, ${JSON.stringify(targetId).slice(1, -1)}, ${replacement})::jsonb END
              WHERE target_id = ${targetId}`.execute(this.db);
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function auditCsv(entries: AuditEntry[]): string {
  let out = csvLine(['id', 'at', 'actor', 'channel', 'action', 'target_type', 'target_id', 'detail', 'before', 'after']);
  for (const e of entries) out += csvLine([e.id, e.at, e.actor, e.channel, e.action, e.targetType, e.targetId, e.detail, json(e.before), json(e.after)]);
  return out;
}
