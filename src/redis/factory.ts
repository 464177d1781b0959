import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { RedisErrorLog } from './error-log.js';
import { ConfigError } from '../config.js';
import { describeRedisTarget, parseRedisUrl, type RedisTarget } from './url.js';

/** A single node or Sentinel-managed master (Redis), or a Redis Cluster: everything the product talks to. */
export type RedisClient = Redis | Cluster;

export interface ClientOptions {
  /** Named in bounded-rate error lines ("producer", "worker", …); clients of one kind share one line. */
  kind: string;
  /**
   * `commands`: a command fails after a couple of reconnect attempts instead of waiting for Redis
   * (producers, rate limits, readiness); the caller decides (Postgres holds the work; the reconciler
   * enqueues it later). `blocking`: waits for Redis however long it takes, as BullMQ workers must
   * (maxRetriesPerRequest: null).
   */
  use?: 'commands' | 'blocking';
}

// Reconnect soon, then every 2 s: while Redis is away a client costs a connection attempt every 2 s.
const reconnectDelay = (times: number) => Math.min(100 * times, 2000);

/**
 * The one place Redis clients are built, from REDIS_URL (see url.ts for its forms). Every client gets the
 * topology's failover handling — Cluster: MOVED/ASK followed and slots refreshed on failover (ioredis
 * Cluster); Sentinel: the current master asked of the sentinels on every reconnect and a failover
 * detected from their +switch-master — and reports its errors to one bounded-rate log.
 */
export class RedisFactory {
  readonly target: RedisTarget;
  /** REDIS_URL without credentials, for logs and messages. */
  readonly where: string;
  readonly errors: RedisErrorLog | null;
  private readonly clients = new Set<RedisClient>();

  constructor(url: string, opts: { logger?: Pick<Logger, 'warn' | 'info'>; errorLogIntervalMs?: number } = {}) {
    this.target = parseRedisUrl(url);
    this.where = describeRedisTarget(this.target);
    this.errors = opts.logger ? new RedisErrorLog(opts.logger, this.where, opts.errorLogIntervalMs) : null;
  }

  create(opts: ClientOptions): RedisClient {
    const client = this.build(opts.use ?? 'commands');
    // Without a listener ioredis prints every error to the console; with one, they go to the bounded log.
    client.on('error', (err: Error) => this.errors?.report(opts.kind, err));
    client.on('ready', () => this.errors?.recovered(opts.kind));
    this.clients.add(client);
    client.once('end', () => this.clients.delete(client));
    return client;
  }

  /** Reports an error of a client this factory did not build (BullMQ's own connections, worker 'error' events). */
  report(kind: string, err: unknown): void {
    this.errors?.report(kind, err);
  }

  /**
   * One attempt to reach Redis as REDIS_URL names it (for a start-up check): resolves when a command
   * answers, rejects with a message naming the address when nothing does within `timeoutMs`. Leaves
   * no connection open.
   */
  async probe(timeoutMs = 5000): Promise<void> {
    const client = this.build('commands', { probe: true });
    // The command's own rejection is often just "Connection is closed": the connection's error says why.
    let cause: Error | undefined;
    client.on('error', (err: Error) => (cause ??= err));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } catch (e) {
      const why = [cause?.message, (e as Error).message].filter((m, i, all) => m && all.indexOf(m) === i && !/^Connection is closed\.?$/.test(m)).join('; ');
      throw new Error(`Redis at ${this.where} (REDIS_URL) is not reachable: ${why || (e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
      client.disconnect();
    }
  }

  /**
   * Refuses a REDIS_URL whose form does not match the server it names: a Cluster node given as redis://
   * answers MOVED for two thirds of the keys (a worker then spins logging them), and redis+cluster:// on
   * a plain server never gets a slot map. Asks the first seed node that answers (INFO cluster) on a
   * short-lived connection; says nothing when none answers (start-up checks reachability elsewhere).
   */
  async checkServerMode(timeoutMs = 3000): Promise<void> {
    const t = this.target;
    if (t.kind === 'sentinel') return;
    for (const node of t.kind === 'single' ? [t.node] : t.nodes) {
      const probe = new Redis({
        host: node.host, port: node.port, ...(t.username ? { username: t.username } : {}), ...(t.password ? { password: t.password } : {}), ...(t.tls ? { tls: {} } : {}),
        retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, lazyConnect: true,
      });
      probe.on('error', () => {});
      let info: string | null = null;
      let timer: NodeJS.Timeout | undefined;
      try {
        await probe.connect();
        info = await Promise.race([probe.info('cluster'), new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)))]);
      } catch {
        info = null;
      } finally {
        clearTimeout(timer);
        probe.disconnect();
      }
      if (info === null) continue;
      const clustered = /cluster_enabled:1/.test(info);
      const at = `${node.host}:${node.port}`;
      const wrong = (reason: string) => new ConfigError([{ key: 'REDIS_URL', reason }]);
      if (clustered && t.kind === 'single') throw wrong(`names ${at}, a Redis Cluster node: write it as redis+cluster://${at}[,host:port…] (rediss+cluster:// with TLS) so that every client follows the cluster's slots`);
      if (!clustered && t.kind === 'cluster') throw wrong(`says redis+cluster:// but ${at} is not a Redis Cluster node (cluster_enabled:0): write it as redis://${at}`);
      return;
    }
  }

  /** Closes every client built here that is still open (QUIT, or a hard disconnect after `ms`). */
  async closeAll(ms = 2000): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([c.quit().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
        clearTimeout(timer);
        c.disconnect();
      }),
    );
    this.clients.clear();
  }

  private build(use: 'commands' | 'blocking', opts: { probe?: boolean } = {}): RedisClient {
    const t = this.target;
    const common: RedisOptions = {
      ...(t.username ? { username: t.username } : {}),
      ...(t.password ? { password: t.password } : {}),
      ...(t.tls ? { tls: {} } : {}),
      maxRetriesPerRequest: opts.probe ? 0 : use === 'blocking' ? null : 2,
      connectTimeout: 5000,
      retryStrategy: opts.probe ? () => null : reconnectDelay,
    };
    switch (t.kind) {
      case 'single':
        return new Redis({ ...common, host: t.node.host, port: t.node.port, db: t.db });
      case 'sentinel':
        return new Redis({
          ...common,
          sentinels: t.sentinels,
          name: t.masterName,
          role: 'master',
          db: t.db,
          ...(t.sentinelUsername ? { sentinelUsername: t.sentinelUsername } : {}),
          ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
          ...(t.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
          sentinelRetryStrategy: opts.probe ? () => null : reconnectDelay,
          // Hear of a failover from the sentinels at once instead of at the next broken connection.
          failoverDetector: !opts.probe,
          // A client still on the old master (now a replica) gets READONLY: reconnect to the new one, resend.
          reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
        });
      case 'cluster': {
        const { retryStrategy: _nodesDoNotRetry, ...redisOptions } = common;
        const options: ClusterOptions = {
          redisOptions,
          clusterRetryStrategy: opts.probe ? () => null : reconnectDelay,
          // A node that stops answering is taken for failed over: refresh the slot map and retry, for
          // about as long as a replica takes to be promoted (cluster-node-timeout plus an election).
          retryDelayOnFailover: 300,
          retryDelayOnClusterDown: 300,
          retryDelayOnTryAgain: 200,
          maxRedirections: 16,
          slotsRefreshTimeout: 2000,
          slotsRefreshInterval: 5000,
          // Managed clusters with TLS announce names the certificate is issued for: connect by them.
          ...(t.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
        };
        const cluster = new Cluster(t.nodes, options);
        // maxRetriesPerRequest bounds a command on one node only: while the whole cluster is away, a
        // command would wait in the cluster's offline queue for as long as that lasts (a webhook would
        // hang). Once connected, commands fail at once instead, as on a single node; workers still wait.
        if (use === 'commands' && !opts.probe) cluster.once('ready', () => (cluster.options.enableOfflineQueue = false));
        return cluster;
      }
    }
  }
}
