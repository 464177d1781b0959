import { Kysely, PostgresDialect, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/schema.js';
import { HttpError } from '../http/app.js';

/**
 * Analytics read through their own small pool (ANALYTICS_DB_POOL_MAX connections, each with
 * ANALYTICS_STATEMENT_TIMEOUT_MS), so that survey pages, webhooks and /readyz never wait for a
 * connection behind a dashboard; and every query of a request is cancelled in Postgres when its
 * client goes away (the request's AbortSignal), so an abandoned five-year dashboard stops costing.
 */
export interface AnalyticsReader {
  rows<T>(query: RawBuilder<T>): Promise<T[]>;
  /** One server-side cursor (DECLARE … FETCH) in a read-only transaction: constant memory for any length. */
  cursor<T>(query: RawBuilder<T>, batchSize: number): AsyncGenerator<T[]>;
}

export interface AnalyticsPoolOptions {
  max: number;
  statementTimeoutMs: number;
  /** Cancels the query running on a backend (pg_cancel_backend through another connection). */
  cancelBackend(pid: number): Promise<void>;
}

const QUERY_CANCELED = '57014';

export class AnalyticsPool {
  readonly pool: pg.Pool;
  /** Compiles RawBuilders only; queries run on the session's own connections. */
  private readonly compiler: Kysely<Database>;

  constructor(databaseUrl: string, private readonly opts: AnalyticsPoolOptions) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: opts.max,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      statement_timeout: opts.statementTimeoutMs,
      // An export whose reader stalls must not hold its snapshot (and a connection) for ever.
      idle_in_transaction_session_timeout: Math.max(60_000, opts.statementTimeoutMs),
      application_name: 'feedback-analytics',
    });
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
    this.compiler = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pool }) });
  }

  /** A reader whose queries stop (in Postgres too) once `signal` aborts. */
  reader(signal?: AbortSignal): AnalyticsReader {
    return new Session(this.pool, this.compiler, this.opts, signal);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class Session implements AnalyticsReader {
  /** Connections with a query in flight, and the cancellation sent for each (awaited before release). */
  private readonly running = new Map<pg.PoolClient, Promise<void> | null>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly compiler: Kysely<Database>,
    private readonly opts: AnalyticsPoolOptions,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.cancelAll(), { once: true });
  }

  async rows<T>(query: RawBuilder<T>): Promise<T[]> {
    const { sql, parameters } = query.compile(this.compiler);
    const client = await this.acquire();
    try {
      return (await client.query({ text: sql, values: parameters as unknown[] })).rows as T[];
    } catch (e) {
      throw this.translate(e);
    } finally {
      await this.release(client);
    }
  }

  async *cursor<T>(query: RawBuilder<T>, batchSize: number): AsyncGenerator<T[]> {
    const { sql, parameters } = query.compile(this.compiler);
    const client = await this.acquire();
    let open = false;
    try {
      await client.query('BEGIN READ ONLY');
      open = true;
      await client.query({ text: `DECLARE analytics_cursor NO SCROLL CURSOR FOR ${sql}`, values: parameters as unknown[] });
      for (;;) {
        this.throwIfAborted();
        const { rows } = await client.query(`FETCH FORWARD ${Math.max(1, Math.floor(batchSize))} FROM analytics_cursor`);
        if (rows.length) yield rows as T[];
        if (rows.length < batchSize) break;
      }
      await client.query('COMMIT');
      open = false;
    } catch (e) {
      throw this.translate(e);
    } finally {
      // Also when the consumer stops early (the client went away): end the transaction, give the connection back.
      await this.release(client, open);
    }
  }

  private async acquire(): Promise<pg.PoolClient> {
    this.throwIfAborted();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new HttpError(503, `analytics are busy: no database connection within 10 s (${(e as Error).message})`);
    }
    if (this.signal?.aborted) {
      client.release();
      this.throwIfAborted();
    }
    this.running.set(client, null);
    return client;
  }

  private async release(client: pg.PoolClient, rollback = false): Promise<void> {
    const cancelling = this.running.get(client);
    this.running.delete(client);
    // A cancel sent while the query ran must land before the connection serves anyone else.
    if (cancelling) await cancelling.catch(() => {});
    let broken: Error | undefined;
    if (rollback) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    client.release(broken);
  }

  private cancelAll(): void {
    for (const client of this.running.keys()) {
      const pid = (client as unknown as { processID: number | null }).processID;
      if (pid) this.running.set(client, this.opts.cancelBackend(pid));
    }
  }

  private throwIfAborted(): void {
    if (this.signal?.aborted) throw abortError();
  }

  private translate(e: unknown): unknown {
    if ((e as { code?: string })?.code !== QUERY_CANCELED) return e;
    if (this.signal?.aborted) return abortError();
    return new HttpError(503, `the figures took longer than ${this.opts.statementTimeoutMs} ms (ANALYTICS_STATEMENT_TIMEOUT_MS): choose a shorter range, a longer interval or a filter`);
  }
}

export const abortError = () => Object.assign(new Error('the client went away; its analytics queries were cancelled'), { name: 'AbortError' });
export const isAbortError = (e: unknown) => (e as { name?: string })?.name === 'AbortError';
