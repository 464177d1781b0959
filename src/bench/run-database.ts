import { databaseName, quoteIdent, withAdminClient } from '../db/admin.js';

/**
 * The database a bench or fault-suite run works in: DATABASE_URL's database name with a suffix
 * (`feedback` → `feedback_bench`), emptied at each start. It is dropped only if a run created it (a
 * comment on the database marks it); any other database of that name is left alone and the run stops.
 * Returns its URL (DATABASE_URL with the suffixed name).
 */
export async function freshRunDatabase(databaseUrl: string, suffix: string, command: string): Promise<string> {
  const url = new URL(databaseUrl);
  const name = `${databaseName(databaseUrl) || 'feedback'}_${suffix}`;
  url.pathname = `/${encodeURIComponent(name)}`;
  const mark = `scratch database of ${command}; dropped and re-created by each run`;
  await withAdminClient(url.toString(), async (c) => {
    const found = await c.query<{ note: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1`, [name]);
    if (found.rows.length > 0) {
      if (found.rows[0]!.note !== mark) {
        throw new Error(`database "${name}" exists and was not created by ${command}: refusing to drop it. Drop it yourself, or point DATABASE_URL at another database name (the run uses <name>_${suffix}).`);
      }
      await c.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
    }
    await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
    await c.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS '${mark.replace(/'/g, "''")}'`);
  });
  return url.toString();
}
