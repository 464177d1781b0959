import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';

/**
 * Hot statements run as named (prepared) statements: parsed once per connection and, after Postgres's
 * first few executions, planned once too. A five-table survey lookup costs its backend about 30 µs so
 * instead of about 300 µs (most of it planning), and its client half the CPU.
 *
 * Only statements whose generic plan is right at every table size are prepared: lookups and updates by
 * primary or unique key with scalar parameters. Postgres picks a generic plan while tables are small
 * (on a fresh installation), and without autovacuum it never re-plans it; a plan that scans then would
 * keep scanning as the table grows. test/prepared-plans.test.ts checks every prepared statement's generic
 * plan on small tables. Statements over arrays of ids (the batched ones) stay unnamed: their cost of
 * planning is shared by the batch.
 */
const names = new Map<string, string>();

/** Marks a compiled query to run as a named statement on every connection; returns it. */
export function prepared<Q extends CompiledQuery<unknown>>(query: Q): Q {
  if (!names.has(query.sql)) names.set(query.sql, `fb_${createHash('sha256').update(query.sql).digest('hex').slice(0, 20)}`);
  return query;
}

/** The texts of the statements marked so far (for the plan test). */
export function preparedStatementTexts(): string[] {
  return [...names.keys()];
}

/** Makes a pool's clients run marked statements as named statements (off: every statement unnamed, e.g. behind an old PgBouncer). */
export function usePreparedStatements(pool: pg.Pool, enabled: boolean): void {
  if (!enabled) return;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = typeof text === 'string' && args.length === 2 && Array.isArray(values) ? names.get(text) : undefined;
      return name ? query({ name, text, values }) : query(...args);
    }) as typeof client.query;
  });
}
