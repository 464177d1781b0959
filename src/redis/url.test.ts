import { describe, expect, it } from 'vitest';
import { describeRedisTarget, parseRedisUrl } from './url.js';

describe('REDIS_URL forms', () => {
  it('reads a single node, with credentials, database and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toMatchObject({ kind: 'single', node: { host: '127.0.0.1', port: 6379 }, db: 0, tls: false });
    const t = parseRedisUrl('rediss://app:s%40cret@redis.example.com/3');
    expect(t).toMatchObject({ kind: 'single', node: { host: 'redis.example.com', port: 6379 }, db: 3, tls: true, username: 'app', password: 's@cret' });
    expect(parseRedisUrl('redis://:pw@[::1]:7000')).toMatchObject({ node: { host: '::1', port: 7000 }, password: 'pw' });
    expect(parseRedisUrl('redis://:pw@[::1]:7000')).not.toHaveProperty('username');
  });

  it('reads a Sentinel set: sentinels, master name, database and the sentinels’ own password', () => {
    const t = parseRedisUrl('redis+sentinel://u:p@s1:26380,s2,s3:26381/mymaster?db=2&sentinelPassword=sp&sentinelUsername=su');
    expect(t).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's1', port: 26380 }, { host: 's2', port: 26379 }, { host: 's3', port: 26381 }],
      masterName: 'mymaster',
      db: 2,
      username: 'u',
      password: 'p',
      sentinelUsername: 'su',
      sentinelPassword: 'sp',
      tls: false,
    });
    expect(parseRedisUrl('rediss+sentinel://s1/mymaster/4')).toMatchObject({ db: 4, tls: true });
  });

  it('reads a Cluster seed list', () => {
    expect(parseRedisUrl('redis+cluster://h1:7000,h2:7001,h3')).toEqual({ kind: 'cluster', nodes: [{ host: 'h1', port: 7000 }, { host: 'h2', port: 7001 }, { host: 'h3', port: 6379 }], tls: false });
    expect(parseRedisUrl('rediss+cluster://a:b@h1')).toMatchObject({ kind: 'cluster', tls: true, username: 'a', password: 'b' });
  });

  it('explains what is wrong', () => {
    const reason = (u: string) => {
      try {
        parseRedisUrl(u);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(reason('http://x')).toMatch(/unknown scheme "http:\/\/".*redis\+sentinel:\/\//);
    expect(reason('127.0.0.1:6379')).toMatch(/must be a URL/);
    expect(reason('redis://h1,h2')).toMatch(/names 2 hosts.*redis\+cluster/);
    expect(reason('redis+sentinel://s1:26379')).toMatch(/master group name/);
    expect(reason('redis+sentinel://s1/m?sentinelPasword=x')).toMatch(/unknown option "sentinelPasword"/);
    expect(reason('redis+cluster://h1/2')).toMatch(/only database 0/);
    expect(reason('redis+cluster://h1:99999')).toMatch(/out of range/);
    expect(reason('redis://h1/x')).toMatch(/database "x"/);
    expect(reason('redis+cluster://h1,,h2')).toMatch(/empty host/);
  });

  it('describes a target without its credentials', () => {
    expect(describeRedisTarget(parseRedisUrl('rediss+sentinel://u:secret@s1,s2:26380/mymaster?sentinelPassword=x'))).toBe('rediss+sentinel://s1:26379,s2:26380/mymaster');
    expect(describeRedisTarget(parseRedisUrl('redis://:secret@10.0.0.1:6380/2'))).toBe('redis://10.0.0.1:6380/2');
    expect(describeRedisTarget(parseRedisUrl('redis+cluster://h1:7000,[::1]:7001'))).toBe('redis+cluster://h1:7000,[::1]:7001');
  });
});
