import { HostNotAllowedError } from '../http/host-policy.js';
import { outboundHttp } from '../http/outbound.js';
import type { Logger } from '../../logger.js';
import { backoffMs, parseRetryAfter, RetryLaterError } from '../../lib/retry.js';
import { OAuthLockTimeout, sha256Hex, type LockedOAuthTokens, type OAuthTokenState, type OAuthTokenStore } from '../../store/oauth-tokens.js';
import { ItsmError, type AuthProvider } from '../http/itsm-http.js';
import type { ConnectorDeps } from '../types.js';

/** Renew this long before expiry (at most a quarter of the lifetime), so no request carries a lapsing token. */
export const REFRESH_MARGIN_MS = 60_000;
/** Where the refresh token an admin applies sits in the connector definition. */
export const REFRESH_TOKEN_PATH = 'auth.refreshToken';
/** Backoff after transient token-endpoint failures without Retry-After: 1 s doubling up to 5 min (with jitter). */
const TRANSIENT_BASE_MS = 1000;
const TRANSIENT_CAP_MS = 5 * 60_000;

export interface JiraOAuthClient {
  connectorId: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

type Outcome = { ok: true; accessToken: string; useUntilMs: number } | { ok: false; error: Error; alarm?: string };

type Refreshed =
  | { kind: 'ok'; accessToken: string; refreshToken: string | null; expiresInMs: number }
  | { kind: 'dead'; status: number; error: string; description: string | null }
  | { kind: 'transient'; status: number | 'network'; retryAfterMs: number | null; reason: string };

const usableUntil = (s: Pick<OAuthTokenState, 'expiresAt' | 'issuedAt'>): number => {
  if (!s.expiresAt) return 0;
  const exp = s.expiresAt.getTime();
  const lifetime = s.issuedAt ? exp - s.issuedAt.getTime() : REFRESH_MARGIN_MS * 4;
  return exp - Math.min(REFRESH_MARGIN_MS, Math.max(0, lifetime) / 4);
};

const bearerOf = (headers: Record<string, string> | undefined): string | null => {
  const v = headers?.Authorization ?? headers?.authorization;
  const m = v ? /^Bearer\s+(\S+)$/i.exec(v) : null;
  return m?.[1] ?? null;
};

/**
 * Access tokens for a Jira Cloud OAuth 2.0 (3LO) app with Atlassian's rotating refresh tokens, shared by
 * every process through Postgres. The access token is kept in memory until shortly before it expires; a
 * miss takes the connector's advisory lock, re-reads the stored state (another process may just have
 * refreshed), refreshes only if still needed, and stores the rotated refresh token with the new access
 * token in the same transaction. Concurrent callers in one process share one refresh.
 *
 * A refused grant (invalid_grant …) is stored with its seed, so no process asks again until an admin
 * applies a new refresh token; transient failures (429, 5xx, network) are stored with a not-before time
 * and surface as RetryLaterError. Tokens and secrets are never logged.
 */
export class JiraOAuthTokens implements AuthProvider {
  private cached: { accessToken: string; useUntilMs: number } | null = null;
  /** The access token the API answered 401 to: not to be handed out again, even if not yet expired. */
  private rejected: string | null = null;
  private inflight: Promise<string> | null = null;

  constructor(
    private readonly client: JiraOAuthClient,
    private readonly store: OAuthTokenStore,
    private readonly deps: Pick<ConnectorDeps, 'logger' | 'http' | 'onCall' | 'hostPolicy'>,
  ) {}

  async headers(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.accessToken()}` };
  }

  /** After a 401: forget the token that was refused (unless a newer one has replaced it meanwhile). */
  invalidate(rejected?: Record<string, string>): void {
    const used = bearerOf(rejected);
    if (used !== null && this.cached && used !== this.cached.accessToken) return;
    this.rejected = used ?? this.cached?.accessToken ?? null;
    this.cached = null;
  }

  accessToken(): Promise<string> {
    if (this.cached && this.cached.useUntilMs > Date.now()) return Promise.resolve(this.cached.accessToken);
    // Single flight: concurrent jobs in this process share one lock wait and one refresh.
    this.inflight ??= this.obtain().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private get log(): Logger {
    return this.deps.logger;
  }

  private async obtain(): Promise<string> {
    const { connectorId } = this.client;
    let outcome: Outcome;
    try {
      // Waiting longer than one token request can take means the holder is stuck: come back later.
      outcome = await this.store.withLock(connectorId, this.deps.http.timeoutMs + 5000, (locked) => this.underLock(locked));
    } catch (e) {
      if (e instanceof OAuthLockTimeout) throw new RetryLaterError(Date.now() + 1000, e.message);
      throw e;
    }
    if (!outcome.ok) {
      if (outcome.alarm) this.log.error({ connectorId }, outcome.alarm);
      throw outcome.error;
    }
    this.cached = { accessToken: outcome.accessToken, useUntilMs: outcome.useUntilMs };
    if (this.rejected === outcome.accessToken) this.rejected = null;
    return outcome.accessToken;
  }

  private async underLock(locked: LockedOAuthTokens): Promise<Outcome> {
    const { connectorId } = this.client;
    const seed = await locked.configuredSecret(REFRESH_TOKEN_PATH);
    if (seed === null) {
      return { ok: false, error: new ItsmError(connectorId, 'oauth-token', 'network', true, 'the connector has no auth.refreshToken (deleted or changed meanwhile)') };
    }
    const seedHash = sha256Hex(seed);
    let state = await locked.read();
    // An admin applied a new refresh token (re-authorised): it wins over the stored, rotated one.
    if (state && state.seedHash !== seedHash) state = null;
    const now = Date.now();

    if (state?.accessToken && state.accessToken !== this.rejected) {
      const until = usableUntil(state);
      if (until > now) return { ok: true, accessToken: state.accessToken, useUntilMs: until };
    }
    const clientHash = sha256Hex(`${this.client.clientId}\u0000${this.client.clientSecret}`);
    if (state?.grantError && state.grantErrorClient === clientHash) {
      return { ok: false, error: new ItsmError(connectorId, 'oauth-token', 403, true, state.grantError) };
    }
    if (state?.retryNotBefore && state.retryNotBefore.getTime() > now) {
      return { ok: false, error: new RetryLaterError(state.retryNotBefore.getTime(), `${connectorId}: Jira OAuth token endpoint asked us to wait until ${state.retryNotBefore.toISOString()}`) };
    }

    const refreshToken = state?.refreshToken ?? seed;
    const r = await this.refresh(refreshToken);
    const base = { seedHash, grantError: null, grantErrorClient: null, retryNotBefore: null, failures: 0 };
    switch (r.kind) {
      case 'ok': {
        const issuedAt = new Date(now);
        const next: OAuthTokenState = { ...base, accessToken: r.accessToken, refreshToken: r.refreshToken ?? refreshToken, issuedAt, expiresAt: new Date(now + r.expiresInMs) };
        await locked.write(next);
        this.log.info({ connectorId, expiresInSeconds: Math.round(r.expiresInMs / 1000), rotated: r.refreshToken !== null }, 'Jira OAuth access token refreshed');
        return { ok: true, accessToken: r.accessToken, useUntilMs: usableUntil(next) };
      }
      case 'dead': {
        const detail = r.description ? ` (${r.description.slice(0, 200)})` : '';
        const message = `Jira OAuth refresh token was rejected (${r.error}): re-authorise the app and apply the connector with a new auth.refreshToken${detail}`;
        await locked.write({ ...base, accessToken: null, expiresAt: null, issuedAt: null, refreshToken, grantError: message, grantErrorClient: clientHash });
        return {
          ok: false,
          error: new ItsmError(connectorId, 'oauth-token', r.status, true, message),
          alarm: `ALARM: ${connectorId}: ${message}. Every call to this Jira connector fails until then.`,
        };
      }
      case 'transient': {
        const failures = (state?.failures ?? 0) + 1;
        const waitMs = r.retryAfterMs ?? backoffMs(failures, TRANSIENT_BASE_MS, TRANSIENT_CAP_MS);
        const until = now + waitMs;
        await locked.write({
          ...base,
          accessToken: state?.accessToken ?? null,
          expiresAt: state?.expiresAt ?? null,
          issuedAt: state?.issuedAt ?? null,
          refreshToken,
          retryNotBefore: new Date(until),
          failures,
        });
        this.log.warn({ connectorId, status: r.status, retryInMs: waitMs, failures }, `Jira OAuth token refresh failed, will retry: ${r.reason}`);
        return { ok: false, error: new RetryLaterError(until, `${connectorId}: Jira OAuth token refresh failed (${r.status === 'network' ? 'network error' : `HTTP ${r.status}`}: ${r.reason}); retrying after ${new Date(until).toISOString()}`) };
      }
    }
  }

  /** One call to Atlassian's token endpoint (JSON body, rotating refresh token). Never logs its body. */
  private async refresh(refreshToken: string): Promise<Refreshed> {
    const { tokenUrl, clientId, clientSecret } = this.client;
    let res;
    try {
      res = await outboundHttp(this.deps.hostPolicy).post(
        tokenUrl,
        { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken },
        { headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, timeout: this.deps.http.timeoutMs, validateStatus: () => true, maxRedirects: 0 },
      );
    } catch (e) {
      // Not allowed by ITSM_ALLOWED_HOSTS: nothing was sent, and retrying cannot help.
      if (e instanceof HostNotAllowedError) throw new ItsmError(this.client.connectorId, 'oauth-token', 'network', true, e.message);
      // Only the message: the error object carries the request, and with it the secrets.
      this.observe('network');
      return { kind: 'transient', status: 'network', retryAfterMs: null, reason: (e as Error).message };
    }
    this.observe(res.status);
    const data = (res.data && typeof res.data === 'object' ? res.data : {}) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (res.status === 200) {
      if (typeof data.access_token !== 'string' || data.access_token === '') return { kind: 'transient', status: 200, retryAfterMs: null, reason: 'no access_token in the answer' };
      const expiresIn = Number(data.expires_in);
      return {
        kind: 'ok',
        accessToken: data.access_token,
        refreshToken: typeof data.refresh_token === 'string' && data.refresh_token !== '' ? data.refresh_token : null,
        expiresInMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000,
      };
    }
    const error = typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
    const description = typeof data.error_description === 'string' ? data.error_description : null;
    if (res.status === 400 || res.status === 401 || res.status === 403) return { kind: 'dead', status: res.status, error, description };
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'] as string | undefined);
    return { kind: 'transient', status: res.status, retryAfterMs, reason: description ? `${error}: ${description.slice(0, 200)}` : error };
  }

  private observe(status: number | 'network') {
    try {
      this.deps.onCall?.({ connectorId: this.client.connectorId, operation: 'oauth-token', status });
    } catch {
      /* metrics must never break a call */
    }
  }
}
