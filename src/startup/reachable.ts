import { probePostgres, probeRedis, type ProbeResult } from './probe.js';
import { StartupError } from './startup-error.js';
import { describeRedisTarget, parseRedisUrl } from '../redis/url.js';

/** A dependency the process cannot start without, named by the variable that points at it. */
export interface Dependency {
  variable: 'DATABASE_URL' | 'REDIS_URL';
  url: string;
}

/** Thrown when a dependency does not answer at start-up: one line per dependency, no stack trace. */
export class UnreachableError extends StartupError {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** The URL as it may be printed: no password, no query string (which may carry one). */
export function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${u.username}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** REDIS_URL in any of its forms (node, Sentinel, Cluster), without credentials. */
function printableRedisUrl(url: string): string {
  try {
    return describeRedisTarget(parseRedisUrl(url));
  } catch {
    return printableUrl(url);
  }
}

const NAMES = { DATABASE_URL: 'Postgres', REDIS_URL: 'Redis' } as const;

/** One line that names the variable, the address and what to do. */
export function unreachableLine(dep: Dependency, result: Extract<ProbeResult, { ok: false }>): string {
  const name = NAMES[dep.variable];
  const at = `${dep.variable}=${dep.variable === 'REDIS_URL' ? printableRedisUrl(dep.url) : printableUrl(dep.url)}`;
  return result.answered
    ? `${name} at ${at} refused us: ${result.reason}. Fix the user, password or TLS settings in ${dep.variable}.`
    : `cannot reach ${name} at ${at} (${result.reason}). Start ${name} there, or set ${dep.variable} to a server that is running.`;
}

/** Probes every dependency at once; throws one UnreachableError naming each that failed. */
export async function requireReachable(deps: Dependency[], timeoutMs = 5000): Promise<void> {
  const results = await Promise.all(deps.map((d) => (d.variable === 'DATABASE_URL' ? probePostgres(d.url, timeoutMs) : probeRedis(d.url, timeoutMs))));
  const lines = results.flatMap((r, i) => (r.ok ? [] : [unreachableLine(deps[i]!, r)]));
  if (lines.length > 0) throw new UnreachableError(lines);
}
