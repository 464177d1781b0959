import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Counts Postgres statements (by their first words) and Redis commands issued by this process, for
 * `npm run bench -- --round-trips`: every round trip over loopback costs a system call and a wake-up on
 * both sides, which on a small machine is a large share of the work per closure.
 */
export function countRoundTrips(): () => { postgres: Record<string, number>; redis: Record<string, number> } {
  const postgres: Record<string, number> = {};
  // Time spent waiting for a pooled connection (is the pool too small?), as pseudo-entries.
  const connect = pg.Pool.prototype.connect as (...args: unknown[]) => unknown;
  pg.Pool.prototype.connect = function (this: pg.Pool, ...args: unknown[]) {
    if (args.length > 0) return connect.apply(this, args);
    const started = performance.now();
    return (connect.apply(this, args) as Promise<pg.PoolClient>).then((client) => {
      postgres['(pool checkouts)'] = (postgres['(pool checkouts)'] ?? 0) + 1;
      postgres['(pool wait, ms)'] = (postgres['(pool wait, ms)'] ?? 0) + (performance.now() - started);
      return client;
    });
  } as typeof pg.Pool.prototype.connect;
  const redis: Record<string, number> = {};
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = typeof q === 'string' ? q : (q?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    postgres[key] = (postgres[key] ?? 0) + 1;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const scripts = new Map<string, string>();
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    const c = args[0] as { name: string; args: unknown[] };
    // BullMQ's Lua scripts run through evalsha: count each script by its name.
    if (c.name === 'evalsha' && !scripts.has(String(c.args[0]))) {
      for (const [name, script] of Object.entries((this as unknown as { scriptsSet: Record<string, { sha: string }> }).scriptsSet)) scripts.set(script.sha, name);
    }
    const key = c.name === 'evalsha' ? `script ${scripts.get(String(c.args[0])) ?? '?'}` : c.name;
    redis[key] = (redis[key] ?? 0) + 1;
    return send.apply(this, args);
  };
  return () => ({ postgres: { ...postgres }, redis: { ...redis } });
}
