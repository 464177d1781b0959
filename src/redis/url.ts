/**
 * REDIS_URL in its three forms, parsed into what the factory needs (pure; no I/O):
 *
 *   redis://[user:pass@]host[:6379][/db]                single node (rediss:// for TLS)
 *   redis+sentinel://[user:pass@]h1[:26379],h2/master[?db=N&sentinelUsername=…&sentinelPassword=…]
 *                                                       Sentinel; user:pass are the data nodes' (rediss+sentinel:// for TLS)
 *   redis+cluster://[user:pass@]h1[:6379],h2[,…]        Cluster seed nodes (rediss+cluster:// for TLS)
 *
 * A user name or password with reserved characters (@ : / , ? #) must be percent-encoded.
 */
export interface HostPort {
  host: string;
  port: number;
}

interface Auth {
  username?: string;
  password?: string;
  tls: boolean;
}

export type RedisTarget =
  | ({ kind: 'single'; url: string; node: HostPort; db: number } & Auth)
  | ({ kind: 'sentinel'; sentinels: HostPort[]; masterName: string; db: number; sentinelUsername?: string; sentinelPassword?: string } & Auth)
  | ({ kind: 'cluster'; nodes: HostPort[] } & Auth);

export class RedisUrlError extends Error {}

const SCHEMES: Record<string, { kind: RedisTarget['kind']; tls: boolean }> = {
  redis: { kind: 'single', tls: false },
  rediss: { kind: 'single', tls: true },
  'redis+sentinel': { kind: 'sentinel', tls: false },
  'rediss+sentinel': { kind: 'sentinel', tls: true },
  'redis+cluster': { kind: 'cluster', tls: false },
  'rediss+cluster': { kind: 'cluster', tls: true },
};

export const REDIS_URL_FORMS =
  'redis://host:6379[/db], rediss://… (TLS), redis+sentinel://host1:26379,host2:26379/<master name>[?db=N&sentinelPassword=…], or redis+cluster://host1:6379,host2:6379 (rediss+… for TLS)';

const SENTINEL_PARAMS = new Set(['db', 'sentinelUsername', 'sentinelPassword']);

export function parseRedisUrl(input: string): RedisTarget {
  const raw = input.trim();
  const m = /^([a-z+]+):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/i.exec(raw);
  if (!m) throw new RedisUrlError(`must be a URL of one of these forms: ${REDIS_URL_FORMS}`);
  const scheme = SCHEMES[m[1]!.toLowerCase()];
  if (!scheme) throw new RedisUrlError(`unknown scheme "${m[1]}://": use ${REDIS_URL_FORMS}`);
  const authority = m[2]!;
  const path = m[3]!;
  const params = new URLSearchParams(m[4] ?? '');
  const at = authority.lastIndexOf('@');
  const auth = { ...userInfo(at >= 0 ? authority.slice(0, at) : ''), tls: scheme.tls };
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  const defaultPort = scheme.kind === 'sentinel' ? 26379 : 6379;
  const hosts = hostList.split(',').map((h) => hostPort(h, defaultPort));
  if (hosts.length === 0 || (hosts.length === 1 && !hosts[0]!.host)) throw new RedisUrlError('names no host');

  switch (scheme.kind) {
    case 'single': {
      if (hosts.length > 1) throw new RedisUrlError(`names ${hosts.length} hosts: for several nodes use redis+sentinel:// or redis+cluster://`);
      return { kind: 'single', url: raw, node: hosts[0]!, db: dbNumber(path.replace(/^\//, '') || params.get('db') || '0'), ...auth };
    }
    case 'sentinel': {
      const [masterName, dbInPath, ...rest] = path.replace(/^\//, '').split('/');
      if (!masterName) throw new RedisUrlError('needs the master group name after the hosts (redis+sentinel://host1:26379,host2:26379/mymaster)');
      if (rest.length > 0) throw new RedisUrlError(`has an unexpected path "${path}" (expected /<master name>[/db])`);
      for (const k of params.keys()) if (!SENTINEL_PARAMS.has(k)) throw new RedisUrlError(`has an unknown option "${k}" (known: ${[...SENTINEL_PARAMS].join(', ')})`);
      return {
        kind: 'sentinel',
        sentinels: hosts,
        masterName: decodeURIComponent(masterName),
        db: dbNumber(dbInPath || params.get('db') || '0'),
        ...(params.get('sentinelUsername') ? { sentinelUsername: params.get('sentinelUsername')! } : {}),
        ...(params.get('sentinelPassword') ? { sentinelPassword: params.get('sentinelPassword')! } : {}),
        ...auth,
      };
    }
    case 'cluster': {
      if (path.replace(/^\//, '')) throw new RedisUrlError('cannot select a database: Redis Cluster has only database 0 (remove the path)');
      if ([...params.keys()].length > 0) throw new RedisUrlError(`has unknown options (${[...params.keys()].join(', ')}): redis+cluster:// takes none`);
      return { kind: 'cluster', nodes: hosts, ...auth };
    }
  }
}

/** The hosts of a target, for log lines and error messages (never the credentials). */
export function describeRedisTarget(t: RedisTarget): string {
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',');
  switch (t.kind) {
    case 'single':
      return `${t.tls ? 'rediss' : 'redis'}://${list([t.node])}${t.db ? `/${t.db}` : ''}`;
    case 'sentinel':
      return `${t.tls ? 'rediss' : 'redis'}+sentinel://${list(t.sentinels)}/${t.masterName}`;
    case 'cluster':
      return `${t.tls ? 'rediss' : 'redis'}+cluster://${list(t.nodes)}`;
  }
}

function userInfo(s: string): { username?: string; password?: string } {
  if (!s) return {};
  const colon = s.indexOf(':');
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      throw new RedisUrlError('has a user name or password that is not valid percent-encoding');
    }
  };
  const username = decode(colon >= 0 ? s.slice(0, colon) : s);
  const password = colon >= 0 ? decode(s.slice(colon + 1)) : undefined;
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function hostPort(s: string, defaultPort: number): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new RedisUrlError(`has an unreadable host "${s}" (expected host[:port], [ipv6][:port])`);
  const host = m[1] ?? m[2] ?? '';
  if (!host) throw new RedisUrlError(`has an empty host in "${s || '(nothing)'}"`);
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (port < 1 || port > 65535) throw new RedisUrlError(`has port ${m[3]} out of range in "${s}"`);
  return { host, port };
}

function dbNumber(s: string): number {
  if (!/^\d{1,2}$/.test(s)) throw new RedisUrlError(`has database "${s}": it must be a number (0-15 on a default Redis)`);
  return Number(s);
}
