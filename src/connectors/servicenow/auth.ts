import type { AxiosInstance } from 'axios';
import { RetryLaterError } from '../../lib/retry.js';
import { HostNotAllowedError, type HostPolicy } from '../http/host-policy.js';
import { ItsmError, type AuthProvider } from '../http/itsm-http.js';
import { outboundHttp } from '../http/outbound.js';

/** Runs a token request when the instance's rate gate allows it (the token endpoint is on the same instance). */
export type GatedSend = <T>(send: () => Promise<T>) => Promise<T>;
import type { ServiceNowDefinition } from './definition.js';

type Auth = ServiceNowDefinition['auth'];

interface Token {
  accessToken: string;
  refreshToken: string | null;
  refreshAtMs: number;
}

/** Renew this long before expiry (at most a quarter of the lifetime) so no request carries a lapsing token. */
const REFRESH_MARGIN_MS = 60_000;

export function serviceNowAuth(connectorId: string, baseUrl: string, auth: Auth, timeoutMs: number, hostPolicy?: HostPolicy, gated: GatedSend = (send) => send()): AuthProvider {
  if (auth.type === 'basic') {
    const value = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return { headers: async () => ({ Authorization: value }) };
  }
  return new ServiceNowOAuth(connectorId, baseUrl, auth, timeoutMs, outboundHttp(hostPolicy), gated);
}

/** OAuth 2.0 against /oauth_token.do: password or client-credentials grant, refresh-token renewal. */
class ServiceNowOAuth implements AuthProvider {
  private token: Token | null = null;
  private inflight: Promise<Token> | null = null;

  constructor(
    private readonly connectorId: string,
    private readonly baseUrl: string,
    private readonly auth: Exclude<Auth, { type: 'basic' }>,
    private readonly timeoutMs: number,
    private readonly http: AxiosInstance,
    private readonly gated: GatedSend,
  ) {}

  async headers(): Promise<Record<string, string>> {
    const t = await this.current();
    return { Authorization: `Bearer ${t.accessToken}` };
  }

  invalidate(): void {
    if (this.token) this.token.refreshAtMs = 0;
  }

  private async current(): Promise<Token> {
    if (this.token && this.token.refreshAtMs > Date.now()) return this.token;
    // Single flight: concurrent jobs share one token request.
    this.inflight ??= this.obtain().finally(() => (this.inflight = null));
    this.token = await this.inflight;
    return this.token;
  }

  private async obtain(): Promise<Token> {
    if (this.token?.refreshToken) {
      try {
        return await this.grant({ grant_type: 'refresh_token', refresh_token: this.token.refreshToken });
      } catch {
        // Refresh tokens expire too; fall back to a full grant.
      }
    }
    return this.auth.type === 'oauth_password'
      ? this.grant({ grant_type: 'password', username: this.auth.username, password: this.auth.password })
      : this.grant({ grant_type: 'client_credentials' });
  }

  private async grant(fields: Record<string, string>): Promise<Token> {
    const body = new URLSearchParams({ ...fields, client_id: this.auth.clientId, client_secret: this.auth.clientSecret });
    let res;
    try {
      res = await this.gated(() =>
        this.http.post(`${this.baseUrl}/oauth_token.do`, body.toString(), {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          timeout: this.timeoutMs,
          validateStatus: () => true,
        }),
      );
    } catch (e) {
      if (e instanceof RetryLaterError) throw e;
      if (e instanceof HostNotAllowedError) throw new ItsmError(this.connectorId, 'oauth-token', 'network', true, e.message);
      throw new ItsmError(this.connectorId, 'oauth-token', 'network', false, (e as Error).message);
    }
    const data = res.data as { access_token?: string; refresh_token?: string; expires_in?: number | string; error_description?: string; error?: string };
    if (res.status !== 200 || typeof data?.access_token !== 'string') {
      const reason = data?.error_description ?? data?.error ?? 'no access_token in the answer';
      // 401/400: wrong client or user credentials — a configuration problem, not worth retrying.
      throw new ItsmError(this.connectorId, 'oauth-token', res.status, res.status === 400 || res.status === 401, `OAuth ${fields.grant_type} grant refused: ${reason}`);
    }
    const ttlMs = (Number.isFinite(Number(data.expires_in)) ? Number(data.expires_in) : 1800) * 1000;
    const now = Date.now();
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token ?? this.token?.refreshToken ?? null,
      refreshAtMs: now + ttlMs - Math.min(REFRESH_MARGIN_MS, ttlMs / 4),
    };
  }
}
