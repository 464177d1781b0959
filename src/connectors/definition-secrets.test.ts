import { describe, expect, it } from 'vitest';
import { changedPaths, extractSecrets, injectSecrets, keepUnchangedSecrets, MASK, maskSecrets, mergePatch } from './definition-secrets.js';

const paths = ['auth.password', 'auth.clientSecret', 'webhookSecret'];
const def = { id: 'x', auth: { type: 'basic', username: 'u', password: 'p' }, webhookSecret: 'w'.repeat(16) };

describe('definition secrets', () => {
  it('extracts and re-injects secrets', () => {
    const { publicPart, secrets } = extractSecrets(def, paths);
    expect(publicPart).toEqual({ id: 'x', auth: { type: 'basic', username: 'u' } });
    expect(secrets).toEqual({ 'auth.password': 'p', webhookSecret: 'w'.repeat(16) });
    expect(injectSecrets(publicPart, secrets)).toEqual(def);
  });

  it('masks only secrets that are set', () => {
    expect(maskSecrets(def, paths)).toEqual({ ...def, auth: { ...def.auth, password: MASK }, webhookSecret: MASK });
    expect(maskSecrets({ auth: { type: 'basic' } }, paths)).toEqual({ auth: { type: 'basic' } });
  });

  it('keeps stored secrets that an update leaves out or sends back masked', () => {
    const input = { id: 'x', auth: { type: 'basic', username: 'u2', password: MASK } };
    expect(keepUnchangedSecrets(input, def, paths)).toEqual({ id: 'x', auth: { type: 'basic', username: 'u2', password: 'p' }, webhookSecret: 'w'.repeat(16) });
  });

  it('removes a secret sent as null (or named as removed by a merge patch), e.g. to switch auth forms', () => {
    expect(keepUnchangedSecrets({ id: 'x', auth: { type: 'basic', username: 'u', password: null }, webhookSecret: MASK }, def, paths)).toEqual({ id: 'x', auth: { type: 'basic', username: 'u' }, webhookSecret: 'w'.repeat(16) });
    expect(keepUnchangedSecrets({ id: 'x', auth: { type: 'basic', username: 'u' } }, def, paths, ['auth.password'])).toEqual({ id: 'x', auth: { type: 'basic', username: 'u' }, webhookSecret: 'w'.repeat(16) });
  });

  it('merges patches and reports changed paths', () => {
    const merged = mergePatch({ rules: { cooldownDays: 14, exclude: { categories: ['a'] } }, name: 'n' }, { rules: { exclude: { categories: ['b'] } }, name: null });
    expect(merged).toEqual({ rules: { cooldownDays: 14, exclude: { categories: ['b'] } } });
    expect(changedPaths({ a: 1, b: { c: [1] } }, { a: 1, b: { c: [2] }, d: 3 })).toEqual(['b.c', 'd']);
  });
});
