import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingMigrations } from '../src/db/migrator.js';
import { createTestEnv, type TestEnv } from './support/env.js';

/** /readyz's migration check: names on disk that the database has not applied. */
describe('pendingMigrations', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
  });
  afterAll(() => te?.cleanup());

  it('is empty once migrated, and names a migration the database lacks', async () => {
    expect(await pendingMigrations(te.db)).toEqual([]);
    await sql`DELETE FROM kysely_migration WHERE name = '0011_analytics_rollups'`.execute(te.db);
    expect(await pendingMigrations(te.db)).toEqual(['0011_analytics_rollups']);
    await sql`ALTER TABLE kysely_migration RENAME TO kysely_migration_gone`.execute(te.db);
    expect((await pendingMigrations(te.db)).length).toBeGreaterThan(5);
    await sql`ALTER TABLE kysely_migration_gone RENAME TO kysely_migration`.execute(te.db);
  });
});
