import { describe, expect, it } from 'vitest';
import { extractSecrets, MASK, maskSecrets } from '../definition-secrets.js';
import { patchDefinition } from '../definition-input.js';
import { connectorDefinitionSchema, secretPathsOf, type ConnectorDefinition } from '../registry.js';
import { jiraOAuthGrant, type JiraDefinition } from './definition.js';

const base = { id: 'jo', name: 'Jira', kind: 'jira', baseUrl: 'https://acme.atlassian.net', jira: { projects: ['SUP'] } };
const refresh = { type: 'oauth', cloudId: 'c-1', clientId: 'app-id', clientSecret: 'app-secret', refreshToken: 'rt-1' };
const parse = (auth: Record<string, unknown>, jira: Record<string, unknown> = {}) => connectorDefinitionSchema.safeParse({ ...base, auth, jira: { ...base.jira, ...jira } });
const issues = (auth: Record<string, unknown>) => {
  const r = parse(auth);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('Jira OAuth definition forms', () => {
  it('accepts the refreshing form (client id + secret + refresh token) with Atlassian token URL by default', () => {
    const r = parse(refresh);
    expect(r.success).toBe(true);
    const def = r.data as JiraDefinition;
    expect(jiraOAuthGrant(def.auth)).toEqual({ kind: 'refresh', clientId: 'app-id', clientSecret: 'app-secret', refreshToken: 'rt-1' });
    expect(def.jira.oauthTokenUrl).toBe('https://auth.atlassian.com/oauth/token');
    expect(def.jira.oauthApiUrl).toBe('https://api.atlassian.com');
  });

  it('still accepts the static access-token form (never refreshed)', () => {
    const r = parse({ type: 'oauth', cloudId: 'c-1', accessToken: 'at-1' });
    expect(r.success).toBe(true);
    expect(jiraOAuthGrant((r.data as JiraDefinition).auth)).toEqual({ kind: 'static', accessToken: 'at-1' });
    expect(jiraOAuthGrant((parse({ type: 'basic', email: 'a@b.co', apiToken: 'x' }).data as JiraDefinition).auth)).toBeNull();
  });

  it('takes exactly one form, naming the field that is wrong', () => {
    expect(issues({ type: 'oauth', cloudId: 'c-1' })).toEqual(['auth.refreshToken: refreshToken is required (with clientId and clientSecret), unless a static accessToken is given']);
    expect(issues({ ...refresh, accessToken: 'at-1' })).toEqual([
      expect.stringMatching(/^auth\.clientId: clientId cannot be combined with accessToken/),
      expect.stringMatching(/^auth\.clientSecret: clientSecret cannot be combined with accessToken/),
      expect.stringMatching(/^auth\.refreshToken: refreshToken cannot be combined with accessToken/),
    ]);
    expect(issues({ type: 'oauth', cloudId: 'c-1', refreshToken: 'rt' })).toEqual([
      'auth.clientId: clientId is required: refreshing OAuth needs clientId, clientSecret and refreshToken',
      'auth.clientSecret: clientSecret is required: refreshing OAuth needs clientId, clientSecret and refreshToken',
    ]);
    expect(issues({ ...refresh, clientSecret: '  ' })).toEqual(['auth.clientSecret: must not be empty']);
    expect(issues({ ...refresh, extra: 1 })[0]).toMatch(/^auth: .*extra/);
    const badUrl = parse(refresh, { oauthTokenUrl: 'ftp://x' });
    expect(badUrl.success ? [] : badUrl.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['jira.oauthTokenUrl: must be an http(s) URL']);
  });

  it('keeps clientSecret and refreshToken with the secrets (encrypted, masked), clientId and cloudId in clear', () => {
    const def = parse(refresh).data as Record<string, unknown>;
    const { publicPart, secrets } = extractSecrets(def, secretPathsOf('jira'));
    expect(secrets).toEqual({ 'auth.clientSecret': 'app-secret', 'auth.refreshToken': 'rt-1' });
    expect(publicPart.auth).toEqual({ type: 'oauth', cloudId: 'c-1', clientId: 'app-id' });
    expect((maskSecrets(def, secretPathsOf('jira')) as { auth: unknown }).auth).toEqual({ ...refresh, clientSecret: MASK, refreshToken: MASK });
  });

  it('a PATCH replaces the refresh token, and switches forms when the old secret is set to null', () => {
    const stored = connectorDefinitionSchema.parse({ ...base, auth: { type: 'oauth', cloudId: 'c-1', accessToken: 'at-1' } }) as ConnectorDefinition;
    const kept = patchDefinition({ auth: { clientId: 'app-id', clientSecret: 'app-secret', refreshToken: 'rt-1' } }, stored);
    expect(kept.ok ? [] : kept.issues.map((i) => i.path)).toEqual(['auth.clientId', 'auth.clientSecret', 'auth.refreshToken']); // accessToken kept: both forms
    const switched = patchDefinition({ auth: { accessToken: null, clientId: 'app-id', clientSecret: 'app-secret', refreshToken: 'rt-1' } }, stored);
    expect(switched.ok && switched.def.auth).toEqual(refresh);
    const renewed = patchDefinition({ auth: { refreshToken: 'rt-2' } }, (switched as { def: ConnectorDefinition }).def);
    expect(renewed.ok && renewed.def.auth).toEqual({ ...refresh, refreshToken: 'rt-2' });
    const masked = patchDefinition({ name: 'Renamed', auth: { clientSecret: MASK } }, (renewed as { def: ConnectorDefinition }).def);
    expect(masked.ok && masked.def.auth).toEqual({ ...refresh, refreshToken: 'rt-2' });
  });
});
