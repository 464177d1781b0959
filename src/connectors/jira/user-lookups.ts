import { LRUCache } from 'lru-cache';

/** What GET /rest/api/3/user said about an account; null when Jira has no such user (404). */
export interface JiraUserDetails {
  emailAddress: string | null;
  displayName: string | null;
  timeZone: string | null;
  locale: string | null;
}

/** Look-ups are remembered this long (also "email hidden" and "no such user"): privacy settings rarely change. */
export const USER_LOOKUP_TTL_MS = 30 * 60_000;
/** At most this many accounts per connector and process (a few MB at most). */
export const USER_LOOKUP_MAX = 10_000;

/**
 * Per-process cache of Jira user look-ups, bounded in size, with entries that really expire. Each
 * account is asked for at most once per TTL, however many closures, pushes and overlapping polls name it;
 * concurrent misses for one account share one request. Failed look-ups are not remembered.
 */
export class JiraUserLookups {
  private readonly cache: LRUCache<string, { user: JiraUserDetails | null }>;

  constructor(lookUp: (accountId: string) => Promise<JiraUserDetails | null>, opts: { ttlMs?: number; max?: number } = {}) {
    this.cache = new LRUCache({
      max: opts.max ?? USER_LOOKUP_MAX,
      ttl: opts.ttlMs ?? USER_LOOKUP_TTL_MS,
      fetchMethod: async (accountId) => ({ user: await lookUp(accountId) }),
    });
  }

  /** The account's details, asked for only when not remembered. */
  async get(accountId: string): Promise<JiraUserDetails | null> {
    const hit = await this.cache.fetch(accountId);
    return hit?.user ?? null;
  }

  /** What is remembered about the account, without asking Jira (undefined: nothing remembered). */
  peek(accountId: string): JiraUserDetails | null | undefined {
    return this.cache.get(accountId)?.user;
  }

  get size(): number {
    return this.cache.size;
  }
}
