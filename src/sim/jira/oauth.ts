/**
 * Atlassian's OAuth 2.0 (3LO) token endpoint, `POST /oauth/token` (auth.atlassian.com), for the refresh
 * grant only: a JSON body `{grant_type:"refresh_token", client_id, client_secret, refresh_token}` answers
 * `200 {access_token, refresh_token, expires_in, scope, token_type:"Bearer"}`. Refresh tokens ROTATE:
 * each refresh returns a new one and the presented one stops working at once (the simulator grants no
 * reuse interval). Access tokens it issues are accepted by the `/ex/jira/{cloudId}` gateway until they
 * expire or their grant is revoked. Errors: 403 invalid_grant (unknown, used or revoked refresh token),
 * 401 unauthorized_client (wrong client id or secret), 400 unsupported_grant_type / invalid_request;
 * seeded failures answer 429/500/503 with Retry-After.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface JiraOAuthOptions {
  /** Registered 3LO apps; default [{clientId: 'sim-client-id', clientSecret: 'sim-client-secret'}]. */
  clients?: OAuthClientCredentials[];
  /** Lifetime of issued access tokens in seconds; default 3600 (Atlassian's). */
  accessTokenTtlSeconds?: number;
}

export interface OAuthStats {
  /** Calls to POST /oauth/token. */
  tokenRequests: number;
  /** Successful refreshes (a new access and refresh token issued). */
  issued: number;
  /** Refusals by OAuth error code (invalid_grant, unauthorized_client, …) and seeded failures by status. */
  rejected: Record<string, number>;
  /** Refresh tokens presented again after they had been rotated (a client that lost a rotation). */
  reusedRefreshTokens: number;
  /** Every token request: when, the answer's status, and the OAuth error if any. */
  log: Array<{ at: number; status: number; error?: string; grantId?: string }>;
}

export interface OAuthGrantView {
  grantId: string;
  clientId: string;
  revoked: boolean;
  /** The refresh token that works now. */
  refreshToken: string;
  /** Refresh tokens issued for this grant so far (the first one included). */
  issuedRefreshTokens: number;
}

interface Grant {
  id: string;
  clientId: string;
  refreshToken: string;
  revoked: boolean;
  history: string[];
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const SCOPE = 'read:jira-work write:jira-work read:jira-user offline_access';
const newToken = (prefix: string) => `${prefix}-${randomBytes(24).toString('base64url')}`;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class JiraOAuthServer {
  accessTokenTtlSeconds: number;
  readonly clients: OAuthClientCredentials[];
  private readonly grants = new Map<string, Grant>();
  /** Current refresh token → grant id; retired ones → grant id (to count reuse); every one issued → grant id. */
  private readonly current = new Map<string, string>();
  private readonly retired = new Map<string, string>();
  private readonly owner = new Map<string, string>();
  private readonly access = new Map<string, { grantId: string; expiresAt: number }>();
  private failures: Array<{ status: 429 | 500 | 503; retryAfterSeconds: number | null }> = [];
  private seq = 0;
  stats: OAuthStats = JiraOAuthServer.emptyStats();

  constructor(opts: JiraOAuthOptions = {}) {
    this.clients = (opts.clients ?? [{ clientId: 'sim-client-id', clientSecret: 'sim-client-secret' }]).map((c) => ({ ...c }));
    this.accessTokenTtlSeconds = opts.accessTokenTtlSeconds ?? 3600;
  }

  static emptyStats(): OAuthStats {
    return { tokenRequests: 0, issued: 0, rejected: {}, reusedRefreshTokens: 0, log: [] };
  }

  /** A user consented (with offline_access): a new grant and its first refresh token. */
  issueGrant(clientId = this.clients[0]?.clientId): OAuthGrantView {
    if (!clientId || !this.clients.some((c) => c.clientId === clientId)) throw new Error(`No OAuth client ${clientId}`);
    const g: Grant = { id: `grant-${++this.seq}`, clientId, refreshToken: newToken('sim-rt'), revoked: false, history: [] };
    g.history.push(g.refreshToken);
    this.owner.set(g.refreshToken, g.id);
    this.grants.set(g.id, g);
    this.current.set(g.refreshToken, g.id);
    return this.view(g);
  }

  /** The user removed the app (or an admin revoked it): its refresh and access tokens stop working. */
  revoke(grantId?: string): void {
    const targets = grantId === undefined ? [...this.grants.values()] : [this.grants.get(grantId)].filter((g): g is Grant => !!g);
    if (grantId !== undefined && targets.length === 0) throw new Error(`No OAuth grant ${grantId}`);
    for (const g of targets) {
      g.revoked = true;
      this.current.delete(g.refreshToken);
    }
    for (const [t, a] of this.access) if (targets.some((g) => g.id === a.grantId)) this.access.delete(t);
  }

  /** The next `count` token requests fail with `status` (and Retry-After when given). */
  failNext(count: number, status: 429 | 500 | 503 = 503, retryAfterSeconds: number | null = null): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, retryAfterSeconds });
  }

  listGrants(): OAuthGrantView[] {
    return [...this.grants.values()].map((g) => this.view(g));
  }

  /** An access token this endpoint issued, unexpired, of a grant not revoked. */
  isValidAccessToken(token: string): boolean {
    const a = this.access.get(token);
    if (!a) return false;
    if (a.expiresAt <= Date.now()) {
      this.access.delete(token);
      return false;
    }
    return true;
  }

  resetStats(): void {
    this.stats = JiraOAuthServer.emptyStats();
  }

  /** Handles `POST /oauth/token` with the raw body and its content type. */
  handle(raw: string, contentType: string): TokenAnswer {
    this.stats.tokenRequests++;
    const failure = this.failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== null ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      return this.answer(failure.status, { error: failure.status === 429 ? 'too_many_requests' : 'server_error', error_description: 'Simulated failure' }, headers, String(failure.status));
    }
    let body: Record<string, unknown>;
    try {
      if (contentType.includes('json')) body = JSON.parse(raw) as Record<string, unknown>;
      else if (contentType.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
      else return this.answer(400, { error: 'invalid_request', error_description: 'Send the body as application/json.' });
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return this.answer(400, { error: 'invalid_request', error_description: 'The request body is not valid JSON.' });
    }
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    if (str('grant_type') !== 'refresh_token') {
      return this.answer(400, { error: 'unsupported_grant_type', error_description: 'Only grant_type refresh_token is simulated.' });
    }
    if (!str('refresh_token')) return this.answer(400, { error: 'invalid_request', error_description: 'refresh_token is required.' });
    const client = this.clients.find((c) => c.clientId === str('client_id'));
    if (!client || !safeEqual(client.clientSecret, str('client_secret'))) {
      return this.answer(401, { error: 'unauthorized_client', error_description: 'Client is not authorized or the client secret is wrong.' });
    }
    const presented = str('refresh_token');
    const grantId = this.current.get(presented);
    const grant = grantId ? this.grants.get(grantId) : undefined;
    if (!grant || grant.revoked || grant.clientId !== client.clientId) {
      if (this.retired.has(presented)) this.stats.reusedRefreshTokens++;
      return this.answer(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, {}, undefined, this.owner.get(presented));
    }
    // Rotate: the presented token is retired at once.
    this.current.delete(presented);
    this.retired.set(presented, grant.id);
    grant.refreshToken = newToken('sim-rt');
    grant.history.push(grant.refreshToken);
    this.owner.set(grant.refreshToken, grant.id);
    this.current.set(grant.refreshToken, grant.id);
    const accessToken = newToken('sim-at');
    this.access.set(accessToken, { grantId: grant.id, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000 });
    this.stats.issued++;
    return this.answer(200, { access_token: accessToken, refresh_token: grant.refreshToken, expires_in: this.accessTokenTtlSeconds, scope: SCOPE, token_type: 'Bearer' }, {}, undefined, grant.id);
  }

  private answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}, rejectKey?: string, grantId?: string): TokenAnswer {
    const error = typeof body.error === 'string' ? body.error : undefined;
    if (status !== 200) {
      const key = rejectKey ?? error ?? String(status);
      this.stats.rejected[key] = (this.stats.rejected[key] ?? 0) + 1;
    }
    this.stats.log.push({ at: Date.now(), status, ...(error ? { error } : {}), ...(grantId ? { grantId } : {}) });
    if (this.stats.log.length > 10_000) this.stats.log.shift();
    return { status, body, headers: { 'cache-control': 'no-store', ...headers } };
  }

  private view(g: Grant): OAuthGrantView {
    return { grantId: g.id, clientId: g.clientId, revoked: g.revoked, refreshToken: g.refreshToken, issuedRefreshTokens: g.history.length };
  }
}
