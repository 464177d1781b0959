import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConnectorsFile } from '../src/cli/connectors-apply.js';
import { SecretBox } from '../src/lib/secret-box.js';
import { ConnectorStore } from '../src/store/connectors.js';
import { createTestEnv, type TestEnv } from './support/env.js';
import { spawnMain } from './support/process.js';

const yaml = (cooldown: number, extra = '') => `
connectors:
  - id: snow-prod
    name: ServiceNow production
    kind: servicenow
    baseUrl: https://acme.service-now.com
    auth:
      type: oauth_password
      clientId: feedback
      clientSecret: \${SNOW_CLIENT_SECRET}
      username: svc_feedback
      password: \${SNOW_PASSWORD}
    webhookSecret: \${SNOW_PUSH_SECRET}
    rules:
      cooldownDays: ${cooldown}
      exclude:
        assignmentGroups: [Security Incident Response]
${extra}`;

const env = { SNOW_CLIENT_SECRET: 'cs-1', SNOW_PASSWORD: 'pw-1', SNOW_PUSH_SECRET: 'push-secret-abcdef-123' };

describe('connectors apply', () => {
  let te: TestEnv;
  let store: ConnectorStore;
  beforeAll(async () => {
    te = await createTestEnv();
    store = new ConnectorStore(te.db, new SecretBox(te.config.SECRET_KEY));
  });
  afterAll(() => te?.cleanup());

  it('dry run changes nothing and says what it would do', async () => {
    const r = await applyConnectorsFile(store, yaml(14), env, { dryRun: true, prune: false });
    expect(r).toEqual({ ok: true, lines: ['(dry run) + created snow-prod'] });
    expect(await store.list()).toEqual([]);
  });

  it('creates, then reports unchanged, then updates with the changed paths (secrets from the environment)', async () => {
    expect((await applyConnectorsFile(store, yaml(14), env, { dryRun: false, prune: false })).lines).toEqual(['+ created snow-prod']);
    expect((await store.get('snow-prod'))?.auth).toMatchObject({ password: 'pw-1', clientSecret: 'cs-1' });
    expect((await applyConnectorsFile(store, yaml(14), env, { dryRun: false, prune: false })).lines).toEqual(['= unchanged snow-prod']);
    const r = await applyConnectorsFile(store, yaml(7), { ...env, SNOW_PASSWORD: 'pw-2' }, { dryRun: false, prune: false });
    expect(r.lines).toEqual(['~ updated snow-prod: auth.password, rules.cooldownDays']);
    expect((await store.get('snow-prod'))?.rules.cooldownDays).toBe(7);
  });

  it('changes nothing when any entry is invalid, naming the entry, field and reason', async () => {
    const bad = yaml(3, `  - id: Bad_Id\n    kind: servicenow\n    name: x\n    baseUrl: nope\n    auth: {type: basic, username: u, password: p}\n`);
    const r = await applyConnectorsFile(store, bad, env, { dryRun: false, prune: false });
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/connectors\[1\] \(Bad_Id\): id: must be 1-63 lowercase/);
    expect(r.lines.join('\n')).toMatch(/baseUrl: must be an http\(s\) URL/);
    expect(r.lines.at(-1)).toBe('nothing was changed');
    expect((await store.get('snow-prod'))?.rules.cooldownDays).toBe(7);
    const missingVar = await applyConnectorsFile(store, yaml(3), { SNOW_CLIENT_SECRET: 'x' }, { dryRun: false, prune: false });
    expect(missingVar.lines[0]).toMatch(/auth.password: environment variable SNOW_PASSWORD is not set/);
  });

  it('--prune disables connectors that are not in the file', async () => {
    const other = `- {id: snow-test, name: t, kind: servicenow, baseUrl: "https://t.service-now.com", auth: {type: basic, username: u, password: p}}`;
    expect((await applyConnectorsFile(store, other, env, { dryRun: false, prune: true })).lines).toEqual(['+ created snow-test', '- disabled snow-prod (not in the file)']);
    expect((await store.get('snow-prod'))?.enabled).toBe(false);
  });

  it('runs as a CLI command with a JSON file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apply-'));
    const file = path.join(dir, 'connectors.json');
    writeFileSync(file, JSON.stringify([{ id: 'snow-json', name: 'j', kind: 'servicenow', baseUrl: 'https://j.service-now.com', auth: { type: 'basic', username: 'u', password: 'p' } }]));
    const p = spawnMain(['connectors', 'apply', file, '--dry-run'], te.env);
    expect((await p.exited).code).toBe(0);
    expect(p.output().trim()).toBe('(dry run) + created snow-json');
  });
});
