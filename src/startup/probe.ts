import pg from 'pg';
import { RedisFactory } from '../redis/factory.js';

/**
 * One short look at a dependency before anything is built on it. `answered` tells "nothing is there"
 * (refused, unknown host, no answer in time) from "a server is there but says no" (login, TLS): the
 * demo starts its own server only in the first case.
 */
export type ProbeResult = { ok: true } | { ok: false; answered: boolean; reason: string };

const NOTHING_THERE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

function describe(e: unknown, timeoutMs: number): { answered: boolean; reason: string } {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e);
  if (err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return { answered: false, reason: 'connection refused' };
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message)) return { answered: false, reason: 'host not found' };
  if (err.code === 'ETIMEDOUT' || /timeout|timed out|ETIMEDOUT/i.test(message)) return { answered: false, reason: `no answer within ${Math.round(timeoutMs / 1000)} s` };
  if (err.code && NOTHING_THERE.has(err.code)) return { answered: false, reason: err.code };
  // ioredis' Sentinel and Cluster clients say so in words when no node of the set answered.
  if (/All sentinels are unreachable/.test(message)) return { answered: false, reason: 'no sentinel answered' };
  if (/None of startup nodes is available/.test(message)) return { answered: false, reason: 'no cluster node answered' };
  return { answered: true, reason: message.split('\n')[0]! };
}

/** Connects once and runs SELECT 1. A database that does not exist yet counts as reachable (it is created at start). */
export async function probePostgres(url: string, timeoutMs = 5000): Promise<ProbeResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (e) {
    if ((e as { code?: string }).code === '3D000') return { ok: true };
    return { ok: false, ...describe(e, timeoutMs) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * One attempt to reach Redis as REDIS_URL names it — single node, Sentinel or Cluster, through the same
 * factory the service builds its clients with — with no retries and no connection left open.
 */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<ProbeResult> {
  try {
    await new RedisFactory(url).probe(timeoutMs);
    return { ok: true };
  } catch (e) {
    // The factory's message names the address; the cause says why (refused, not found, a login refused).
    const cause = (e as { cause?: unknown }).cause;
    const described = describe(e, timeoutMs);
    return { ok: false, ...(described.answered && cause ? describe(cause, timeoutMs) : described) };
  }
}
