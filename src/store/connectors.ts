import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';
import { changedPaths, extractSecrets, injectSecrets } from '../connectors/definition-secrets.js';
import { connectorDefinitionSchema, secretPathsOf, type ConnectorDefinition } from '../connectors/registry.js';
import type { SecretBox } from '../lib/secret-box.js';
import { TtlCache } from './ttl-cache.js';

type Executor = Kysely<Database>;

export type SaveOutcome = { action: 'created' | 'updated' | 'unchanged'; changed: string[]; def: ConnectorDefinition };

/** How long a process may use a connector definition without re-reading it (another process's change). */
export const CONNECTOR_CACHE_TTL_MS = 2000;
/** More connectors than this are read again more often, never held without bound. */
export const CONNECTOR_CACHE_MAX_ENTRIES = 1000;

/**
 * Connector definitions at rest: the definition in clear, its secrets as one AES-GCM envelope.
 * Every stage of every job reads its connector, so decoded definitions are cached per process for
 * `cacheTtlMs` (a query, a decryption and a schema parse each time otherwise). This store's own writes
 * take effect at once; another process's writes within the TTL. The values returned are frozen.
 */
export class ConnectorStore {
  private readonly cache: TtlCache<ConnectorDefinition | null>;

  constructor(private readonly db: Db, private readonly box: SecretBox, opts: { cacheTtlMs?: number } = {}) {
    // Only connectors that exist are kept: ids come from public URLs too (webhooks, the scoreboard), and
    // a sweep of random ids must neither grow the heap nor push real connectors out.
    this.cache = new TtlCache(opts.cacheTtlMs ?? CONNECTOR_CACHE_TTL_MS, Date.now, { maxEntries: CONNECTOR_CACHE_MAX_ENTRIES, keep: (def) => def !== null });
  }

  /**
   * @param via inside a transaction, pass it: a miss is then read through it, rather than through a
   * second pool connection that a full pool might never grant.
   */
  /** Definitions held in this process's cache now (bounded; unknown ids are never kept). */
  get cachedCount(): number {
    return this.cache.size;
  }

  get(id: string, via?: Executor): Promise<ConnectorDefinition | null> {
    return via ? this.cache.get(id, () => this.load(id, via), { joinPending: false }) : this.cache.get(id, () => this.load(id));
  }

  private async load(id: string, via: Executor = this.db): Promise<ConnectorDefinition | null> {
    const row = await via.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.decode(row) : null;
  }

  async list(opts: { enabledOnly?: boolean } = {}): Promise<ConnectorDefinition[]> {
    let q = this.db.selectFrom('connectors').selectAll().orderBy('id');
    if (opts.enabledOnly) q = q.where('enabled', '=', true);
    return (await q.execute()).map((r) => this.decode(r));
  }

  async save(def: ConnectorDefinition): Promise<SaveOutcome> {
    // Compared with what is stored now, not with a cached copy.
    const existing = await this.load(def.id);
    if (existing && existing.kind !== def.kind) throw new Error(`connector ${def.id} is a ${existing.kind} connector; its kind cannot change`);
    const changed = existing ? changedPaths(existing, def) : [];
    if (existing && changed.length === 0) return { action: 'unchanged', changed, def: existing };
    const { publicPart, secrets } = extractSecrets(def, secretPathsOf(def.kind));
    const values = {
      kind: def.kind,
      name: def.name,
      enabled: def.enabled,
      definition: JSON.stringify(publicPart),
      secrets_ciphertext: this.box.seal(JSON.stringify(secrets), def.id),
    };
    await this.db
      .insertInto('connectors')
      .values({ id: def.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, revision: sql`connectors.revision + 1`, updated_at: sql`now()` }))
      .execute();
    this.cache.invalidate(def.id);
    return { action: existing ? 'updated' : 'created', changed, def };
  }

  async ticketCount(id: string): Promise<number> {
    const r = await this.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('connector_id', '=', id).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Deletes the connector and (through ON DELETE CASCADE) all of its tickets, closures and surveys. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('connectors').where('id', '=', id).executeTakeFirst();
    this.cache.invalidate(id);
    return Number(r.numDeletedRows) > 0;
  }

  private decode(row: { id: string; definition: unknown; secrets_ciphertext: string; enabled: boolean }): ConnectorDefinition {
    const secrets = JSON.parse(this.box.open(row.secrets_ciphertext, row.id)) as Record<string, string>;
    const publicPart = (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as Record<string, unknown>;
    // Parsing again applies defaults added by newer versions to definitions stored by older ones.
    return connectorDefinitionSchema.parse(injectSecrets({ ...publicPart, id: row.id, enabled: row.enabled }, secrets));
  }
}
