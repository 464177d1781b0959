import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// bigint ids stay strings (no precision loss); int8 counts are parsed explicitly where needed.
export function createDb(databaseUrl: string, poolMax: number): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // A dropped connection (Postgres restart, network blip) must not crash the process: the pool replaces it.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
