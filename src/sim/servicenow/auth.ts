/** Basic auth and OAuth 2.0 (`/oauth_token.do`) as a ServiceNow instance does them. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface BasicUser {
  username: string;
  password: string;
}
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** User the client_credentials grant runs as (default: the client id). */
  user?: string;
}

interface AccessToken {
  user: string;
  clientId: string;
  expiresAt: number;
}
interface RefreshToken {
  user: string;
  clientId: string;
  expiresAt: number;
}

export const OAUTH_DENIED = { error_description: 'access_denied', error: 'server_error' };
const REFRESH_TTL_MS = 100 * 24 * 3600 * 1000; // instance default: 100 days

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodeBasic(header: string): { user: string; pass: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

export class AuthService {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  readonly issued: Record<string, number> = {};

  constructor(
    private readonly users: BasicUser[],
    private readonly clients: OAuthClient[],
    private readonly tokenTtlSeconds: number,
  ) {}

  /** The authenticated user name, or undefined (-> 401). */
  authenticate(authorization: string | undefined): string | undefined {
    if (!authorization) return undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (bearer?.[1]) {
      const t = this.access.get(bearer[1]);
      if (!t) return undefined;
      if (Date.now() >= t.expiresAt) {
        this.access.delete(bearer[1]);
        return undefined;
      }
      return t.user;
    }
    const basic = decodeBasic(authorization);
    if (!basic) return undefined;
    const u = this.users.find((x) => x.username === basic.user);
    return u && safeEqual(u.password, basic.pass) ? u.username : undefined;
  }

  private client(id: string | undefined, secret: string | undefined): OAuthClient | undefined {
    if (!id || secret === undefined) return undefined;
    const c = this.clients.find((x) => x.clientId === id);
    return c && safeEqual(c.clientSecret, secret) ? c : undefined;
  }

  /** Handles one token request; returns [status, body]. */
  token(form: URLSearchParams, authorization: string | undefined): [number, Record<string, unknown>] {
    // client_secret_basic is accepted as well as client_secret_post.
    const basic = authorization ? decodeBasic(authorization) : undefined;
    const client = this.client(form.get('client_id') ?? basic?.user, form.get('client_secret') ?? basic?.pass);
    if (!client) return [401, OAUTH_DENIED];
    const grant = form.get('grant_type');
    let user: string | undefined;
    let withRefresh = true;
    let refreshToken: string | undefined;
    if (grant === 'password') {
      const u = this.users.find((x) => x.username === form.get('username'));
      if (!u || !safeEqual(u.password, form.get('password') ?? '')) return [401, OAUTH_DENIED];
      user = u.username;
    } else if (grant === 'client_credentials') {
      user = client.user ?? client.clientId;
      withRefresh = false;
    } else if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const r = this.refresh.get(rt);
      if (!r || r.clientId !== client.clientId || Date.now() >= r.expiresAt) return [401, OAUTH_DENIED];
      user = r.user;
      refreshToken = rt;
    } else {
      return [400, { error_description: 'access_denied', error: 'unsupported_grant_type' }];
    }
    const accessToken = randomBytes(48).toString('base64url');
    this.access.set(accessToken, { user, clientId: client.clientId, expiresAt: Date.now() + this.tokenTtlSeconds * 1000 });
    this.issued[grant] = (this.issued[grant] ?? 0) + 1;
    const body: Record<string, unknown> = { access_token: accessToken };
    if (withRefresh) {
      if (!refreshToken) {
        refreshToken = randomBytes(48).toString('base64url');
        this.refresh.set(refreshToken, { user, clientId: client.clientId, expiresAt: Date.now() + REFRESH_TTL_MS });
      }
      body.refresh_token = refreshToken;
    }
    Object.assign(body, { scope: 'useraccount', token_type: 'Bearer', expires_in: this.tokenTtlSeconds });
    return [200, body];
  }

  resetCounters(): void {
    for (const k of Object.keys(this.issued)) delete this.issued[k];
  }
}

export function registerOAuthRoute(app: FastifyInstance, auth: AuthService): void {
  app.post('/oauth_token.do', async (req: FastifyRequest, reply) => {
    const ct = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!ct.startsWith('application/x-www-form-urlencoded')) return reply.code(401).send(OAUTH_DENIED);
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const [status, body] = auth.token(form, req.headers.authorization);
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
}
