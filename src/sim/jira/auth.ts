/**
 * Authentication as Jira does it: Basic `email:apiToken` (Cloud) or `username:password` (Data Center),
 * and Bearer tokens (OAuth 2.0 access tokens through api.atlassian.com, or Data Center personal access tokens).
 */
import { timingSafeEqual } from 'node:crypto';

export interface BasicAccount {
  email: string;
  apiToken: string;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type AuthResult = { ok: true; accountId: string; scheme: 'basic' | 'bearer' } | { ok: false; reason: 'missing' | 'failed' };

export class JiraAuth {
  /** accountId per Basic account (same order as the accounts) and the account bearer tokens act as. */
  constructor(
    private readonly accounts: Array<BasicAccount & { accountId: string; username: string }>,
    private readonly bearerTokens: string[],
    /** Tokens issued at run time (OAuth access tokens from the token endpoint), checked for expiry there. */
    private readonly issuedBearer: (token: string) => boolean = () => false,
  ) {}

  authenticate(header: string | undefined, allowBasic: boolean): AuthResult {
    if (!header || header.trim() === '') return { ok: false, reason: 'missing' };
    const bearer = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (bearer?.[1]) {
      const token = bearer[1];
      const owner = this.accounts[0];
      const known = this.bearerTokens.some((t) => safeEqual(t, token)) || this.issuedBearer(token);
      return owner && known ? { ok: true, accountId: owner.accountId, scheme: 'bearer' } : { ok: false, reason: 'failed' };
    }
    const basic = /^Basic\s+(\S+)$/i.exec(header.trim());
    if (!basic?.[1] || !allowBasic) return { ok: false, reason: 'failed' };
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return { ok: false, reason: 'failed' };
    const user = decoded.slice(0, i).toLowerCase();
    const pass = decoded.slice(i + 1);
    const acc = this.accounts.find((a) => a.email.toLowerCase() === user || a.username.toLowerCase() === user);
    return acc && safeEqual(acc.apiToken, pass) ? { ok: true, accountId: acc.accountId, scheme: 'basic' } : { ok: false, reason: 'failed' };
  }
}
