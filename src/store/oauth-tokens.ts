import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';
import type { SecretBox } from '../lib/secret-box.js';

/** sha256 hex: how seeds and client credentials are compared without storing them again. */
export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** One connector's OAuth state, decrypted. */
export interface OAuthTokenState {
  accessToken: string | null;
  expiresAt: Date | null;
  issuedAt: Date | null;
  refreshToken: string;
  seedHash: string;
  grantError: string | null;
  grantErrorClient: string | null;
  retryNotBefore: Date | null;
  failures: number;
}

/** What a caller may do while it holds a connector's token lock. */
export interface LockedOAuthTokens {
  read(): Promise<OAuthTokenState | null>;
  /** The secret at `path` of the connector's definition as stored now (not a cached copy); null when absent. */
  configuredSecret(path: string): Promise<string | null>;
  write(state: OAuthTokenState): Promise<void>;
}

/** The lock could not be had within the timeout (another process holds it, e.g. a slow token endpoint). */
export class OAuthLockTimeout extends Error {
  constructor(connectorId: string) {
    super(`timed out waiting for the OAuth token lock of ${connectorId}`);
    this.name = 'OAuthLockTimeout';
  }
}

/**
 * OAuth token state at rest (table oauth_tokens), shared by every process. Tokens are AES-GCM envelopes
 * bound to the connector id and their purpose, so a ciphertext copied to another row or column fails
 * to decrypt. Changes happen under a transaction-scoped advisory lock (works behind PgBouncer's
 * transaction pooling, released by commit or rollback, never left behind by a dead process).
 */
export class OAuthTokenStore {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  /**
   * Runs `fn` in a transaction holding the connector's token lock. Whatever `fn` writes commits when it
   * returns (also when it returns an error for the caller to throw), and rolls back if it throws.
   */
  async withLock<T>(connectorId: string, lockTimeoutMs: number, fn: (locked: LockedOAuthTokens) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)`.execute(trx);
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`oauth:${connectorId}`}, 0))`.execute(trx);
        // Waiting for the lock counts against lock_timeout only; the rest of the transaction may take longer.
        await sql`SELECT set_config('lock_timeout', '0', true)`.execute(trx);
        return fn(this.locked(trx, connectorId));
      });
    } catch (e) {
      if ((e as { code?: string }).code === '55P03') throw new OAuthLockTimeout(connectorId);
      throw e;
    }
  }

  private locked(trx: Transaction<Database>, connectorId: string): LockedOAuthTokens {
    const ad = (what: 'access' | 'refresh') => `${connectorId}/oauth/${what}`;
    return {
      read: async () => {
        const r = await trx.selectFrom('oauth_tokens').selectAll().where('connector_id', '=', connectorId).executeTakeFirst();
        if (!r) return null;
        return {
          accessToken: r.access_token_ciphertext === null ? null : this.box.open(r.access_token_ciphertext, ad('access')),
          expiresAt: r.expires_at,
          issuedAt: r.issued_at,
          refreshToken: this.box.open(r.refresh_token_ciphertext, ad('refresh')),
          seedHash: r.seed_hash,
          grantError: r.grant_error,
          grantErrorClient: r.grant_error_client,
          retryNotBefore: r.retry_not_before,
          failures: r.failures,
        };
      },
      configuredSecret: async (path) => {
        // ConnectorStore keeps a connector's secrets as one envelope of {"<path>": value}, bound to its id.
        const r = await trx.selectFrom('connectors').select('secrets_ciphertext').where('id', '=', connectorId).executeTakeFirst();
        if (!r) return null;
        const secrets = JSON.parse(this.box.open(r.secrets_ciphertext, connectorId)) as Record<string, unknown>;
        const v = secrets[path];
        return typeof v === 'string' ? v : null;
      },
      write: async (s) => {
        const values = {
          access_token_ciphertext: s.accessToken === null ? null : this.box.seal(s.accessToken, ad('access')),
          expires_at: s.expiresAt,
          issued_at: s.issuedAt,
          refresh_token_ciphertext: this.box.seal(s.refreshToken, ad('refresh')),
          seed_hash: s.seedHash,
          grant_error: s.grantError,
          grant_error_client: s.grantErrorClient,
          retry_not_before: s.retryNotBefore,
          failures: s.failures,
          updated_at: sql<Date>`now()`,
        };
        await trx
          .insertInto('oauth_tokens')
          .values({ connector_id: connectorId, ...values })
          .onConflict((oc) => oc.column('connector_id').doUpdateSet(values))
          .execute();
      },
    };
  }
}
