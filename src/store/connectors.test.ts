import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../lib/secret-box.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { ConnectorStore } from './connectors.js';
import { createTestEnv, type TestEnv } from '../../test/support/env.js';

const def = (cooldownDays: number) =>
  connectorDefinitionSchema.parse({ id: 'snow', name: 'snow', kind: 'servicenow', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, rules: { cooldownDays } });

describe('connector store cache', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
  });
  afterAll(async () => {
    await te?.cleanup();
  });

  it("serves its own writes at once and another process's within the TTL", async () => {
    const box = new SecretBox(te.config.SECRET_KEY);
    const mine = new ConnectorStore(te.db, box, { cacheTtlMs: 300 });
    const other = new ConnectorStore(te.db, box, { cacheTtlMs: 300 });
    await mine.save(def(14));
    expect((await mine.get('snow'))?.rules.cooldownDays).toBe(14);
    await mine.save(def(7));
    expect((await mine.get('snow'))?.rules.cooldownDays).toBe(7);

    await other.save(def(3));
    expect((await mine.get('snow'))?.rules.cooldownDays).toBe(7); // cached
    await new Promise((r) => setTimeout(r, 350));
    expect((await mine.get('snow'))?.rules.cooldownDays).toBe(3);

    // save() compares with what is stored, not with its (now stale) cached copy.
    await other.save(def(5));
    expect((await mine.save(def(3))).action).toBe('updated');
    expect((await other.save(def(3))).action).toBe('unchanged');

    expect(await mine.delete('snow')).toBe(true);
    expect(await mine.get('snow')).toBeNull();
  });

  it('hands out frozen definitions: a caller cannot change what others read', async () => {
    const store = new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY));
    await store.save(def(14));
    const got = (await store.get('snow'))!;
    expect(() => {
      (got.rules as { cooldownDays: number }).cooldownDays = 1;
    }).toThrow(TypeError);
    expect((await store.get('snow'))!.rules.cooldownDays).toBe(14);
  });
});
