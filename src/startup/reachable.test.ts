import { describe, expect, it } from 'vitest';
import { printableUrl, requireReachable, unreachableLine } from './reachable.js';

describe('printableUrl', () => {
  it('keeps scheme, user, host, port and database, and drops the password and the query', () => {
    expect(printableUrl('postgres://app:s3cret@db.internal:6432/feedback?sslmode=require&password=x')).toBe('postgres://app@db.internal:6432/feedback');
    expect(printableUrl('rediss://:tok3n@cache:6380')).toBe('rediss://cache:6380');
    expect(printableUrl('not a url')).toBe('(not a URL)');
  });
});

describe('unreachableLine', () => {
  it('says what to do, differently for "nothing there" and "there but refusing"', () => {
    const dep = { variable: 'REDIS_URL' as const, url: 'redis://:pw@127.0.0.1:6390' };
    expect(unreachableLine(dep, { ok: false, answered: false, reason: 'connection refused' })).toBe(
      'cannot reach Redis at REDIS_URL=redis://127.0.0.1:6390 (connection refused). Start Redis there, or set REDIS_URL to a server that is running.',
    );
    expect(unreachableLine(dep, { ok: false, answered: true, reason: 'WRONGPASS invalid username-password pair' })).toBe(
      'Redis at REDIS_URL=redis://127.0.0.1:6390 refused us: WRONGPASS invalid username-password pair. Fix the user, password or TLS settings in REDIS_URL.',
    );
  });
});

describe('requireReachable with Sentinel and Cluster URLs', () => {
  it('names the set without credentials and says nothing answered (ports where nothing listens)', async () => {
    const err = await requireReachable(
      [
        { variable: 'REDIS_URL', url: 'redis+sentinel://:pw@127.0.0.1:1,127.0.0.1:2/mymaster' },
      ],
      2000,
    ).catch((e: Error) => e);
    expect((err as Error).message).toBe('cannot reach Redis at REDIS_URL=redis+sentinel://127.0.0.1:1,127.0.0.1:2/mymaster (no sentinel answered). Start Redis there, or set REDIS_URL to a server that is running.');
    const cluster = await requireReachable([{ variable: 'REDIS_URL', url: 'redis+cluster://127.0.0.1:1' }], 2000).catch((e: Error) => e);
    expect((cluster as Error).message).toMatch(/^cannot reach Redis at REDIS_URL=redis\+cluster:\/\/127\.0\.0\.1:1 \(no cluster node answered\)/);
  });
});
