import pg from 'pg';

/** Runs `fn` with a client on the server's maintenance database (for CREATE / DROP DATABASE). */
export async function withAdminClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const databaseName = (databaseUrl: string) => decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Drops the database named in the URL, disconnecting its sessions (demo, bench, fault suite, tests). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withAdminClient(databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseName(databaseUrl))} WITH (FORCE)`));
}
