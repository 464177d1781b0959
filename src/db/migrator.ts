import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { databaseName, quoteIdent, withAdminClient } from './admin.js';
import type { Db } from './client.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Forward-only SQL files (NNNN_name.sql), applied in name order, each in the migrator's transaction. */
class SqlFileProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
    const out: Record<string, Migration> = {};
    for (const f of files) {
      const text = await readFile(path.join(this.dir, f), 'utf8');
      out[f.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return out;
  }
}

const migrator = (db: Db, dir = MIGRATIONS_DIR) => new Migrator({ db, provider: new SqlFileProvider(dir) });

/** Applies pending migrations; concurrent callers are serialised by Kysely's lock table. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Applies the pending migrations whose names sort before `name` only (the analytics benchmark seeds
 * history into the schema as it was before migrations/0010, then applies them as an upgrade would).
 */
export async function migrateBefore(db: Db, name: string): Promise<string[]> {
  const m = migrator(db);
  const target = (await m.getMigrations()).map((x) => x.name).filter((n) => n < name).sort().at(-1);
  if (!target) return [];
  const { error, results } = await m.migrateTo(target);
  if (error) throw new Error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Names of migrations on disk that the database has not applied yet (readiness check, run at every
 * /readyz): the directory listing and one small query. Kysely's getMigrations() introspects the whole
 * schema and reads every file, which took hundreds of milliseconds on a busy database.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const onDisk = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).map((f) => f.replace(/\.sql$/, '')).sort();
  let applied: Set<string>;
  try {
    applied = new Set((await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db)).rows.map((r) => r.name));
  } catch (e) {
    // Not migrated at all yet: everything is pending.
    if ((e as { code?: string }).code !== '42P01') throw e;
    applied = new Set();
  }
  return onDisk.filter((n) => !applied.has(n));
}

/** Creates the database named in the URL if it does not exist yet (first run, demo, tests). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  if (!name) return false;
  return withAdminClient(databaseUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (e) {
      // Another process created it at the same moment.
      if ((e as { code?: string }).code === '42P04') return false;
      throw e;
    }
  });
}
