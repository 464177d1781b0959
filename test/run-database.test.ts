import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, withAdminClient } from '../src/db/admin.js';
import { freshRunDatabase } from '../src/bench/run-database.js';
import { PG_BASE } from './support/env.js';

/** The bench and the fault suite work in `<DATABASE_URL's name>_<suffix>` and drop only what a run created. */
describe('run database of the bench and the fault suite', () => {
  const base = new URL(PG_BASE);
  base.pathname = `/fb_test_${randomBytes(5).toString('hex')}`;
  const runUrl = new URL(base);
  runUrl.pathname = `${base.pathname}_bench`;
  afterAll(() => dropDatabase(runUrl.toString()));
  const exists = () => withAdminClient(base.toString(), async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [runUrl.pathname.slice(1)])).rowCount === 1);

  it('refuses to drop a database of that name it did not create', async () => {
    await withAdminClient(base.toString(), (c) => c.query(`CREATE DATABASE "${runUrl.pathname.slice(1)}"`));
    await expect(freshRunDatabase(base.toString(), 'bench', 'npm run bench')).rejects.toThrow(/exists and was not created by npm run bench: refusing to drop it/);
    expect(await exists()).toBe(true);
    await dropDatabase(runUrl.toString());
  });

  it('creates <name>_bench, and empties it at the next run', async () => {
    expect(await freshRunDatabase(base.toString(), 'bench', 'npm run bench')).toBe(runUrl.toString());
    const client = new pg.Client({ connectionString: runUrl.toString() });
    await client.connect();
    await client.query('CREATE TABLE left_over (id int)');
    await client.end();
    await freshRunDatabase(base.toString(), 'bench', 'npm run bench');
    const again = new pg.Client({ connectionString: runUrl.toString() });
    await again.connect();
    expect((await again.query(`SELECT to_regclass('left_over') AS t`)).rows[0].t).toBeNull();
    await again.end();
  });
});
