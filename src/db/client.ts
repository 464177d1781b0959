import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { usePreparedStatements } from './prepared.js';

export type Db = Kysely<Database>;

// bigint ids stay strings (no precision loss); int8 counts are parsed explicitly where needed.
export function createDb(databaseUrl: string, poolMax: number, opts: { preparedStatements?: boolean } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // A dropped connection (Postgres restart, failover, an admin's pg_terminate_backend) must not crash the
  // process. The pool only listens on idle clients; a client checked out (e.g. inside a transaction) emits
  // 'error' on itself, so every client gets a listener when it connects. The query in flight fails and
  // its job is retried; the broken client is discarded by the pool.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  usePreparedStatements(pool, opts.preparedStatements ?? true);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
