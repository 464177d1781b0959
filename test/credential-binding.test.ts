import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { PAGE_MARKER, startForeignHost } from './support/foreign-host.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('stored credentials stay with the address they were given for', () => {
  let h: Harness;
  let foreign: Awaited<ReturnType<typeof startForeignHost>>;
  beforeAll(async () => {
    foreign = await startForeignHost({ status: 404 });
    h = await startHarness({ ITSM_MAX_ATTEMPTS: '2' });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await foreign?.close();
  });

  it('PATCH of baseUrl without the password: 400 naming it, nothing saved, nothing sent there', async () => {
    const r = await h.api('PATCH', '/admin/connectors/snow', { baseUrl: foreign.url });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ path: 'auth.password', message: expect.stringMatching(/^must be given again: baseUrl changes from http:\/\/127\.0\.0\.1:\d+ to http:\/\/127\.0\.0\.1:\d+, and stored credentials are never sent/) }]);
    // Sending the mask back is not giving it again.
    expect((await h.api('PATCH', '/admin/connectors/snow', { baseUrl: `${foreign.url}/`, auth: { password: '********' } })).status).toBe(400);
    const put = await h.api('PUT', '/admin/connectors/snow', { ...snowConnector(h.sim), baseUrl: foreign.url, auth: { type: 'basic', username: 'integration', password: '********' }, webhookSecret: '********' });
    expect(put.status).toBe(400);
    expect(put.body.details.map((d: { path: string }) => d.path)).toEqual(['auth.password']);
    expect((await h.api('GET', '/admin/connectors/snow')).body.connector.baseUrl).toBe(h.sim.url);
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: true });
    expect(foreign.requests).toEqual([]);
  });

  it('a change of auth type must bring its own secrets: the old password is never carried over', async () => {
    const r = await h.api('PATCH', '/admin/connectors/snow', { auth: { type: 'oauth_password', clientId: 'feedback', clientSecret: 'client-secret' } });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ path: 'auth.password', message: expect.stringMatching(/^must be given again: auth\.type changes from basic to oauth_password/) }]);
  });

  it('with the secrets given again the move is saved, and only the new secret goes there', async () => {
    const r = await h.api('PATCH', '/admin/connectors/snow', { baseUrl: foreign.url, auth: { password: 'a-new-password' } });
    expect(r.status).toBe(200);
    expect(r.body.changed).toEqual(['auth.password', 'baseUrl']);
    const check = await h.api('POST', '/admin/connectors/snow/test');
    expect(check.body).toMatchObject({ ok: false, status: 404, reason: 'not_found' });
    expect(foreign.requests.length).toBeGreaterThan(0);
    expect(foreign.requests.every((q) => q.authorization === basic('integration', 'a-new-password'))).toBe(true);
    // Back to the simulator, with its password.
    expect((await h.api('PATCH', '/admin/connectors/snow', { baseUrl: h.sim.url, auth: { password: 'integration-pass' } })).status).toBe(200);
  });

  it('the connection check reports status and a classified reason, never the body that answered', async () => {
    for (const status of [200, 302, 401, 500]) {
      const other = await startForeignHost({ status });
      try {
        expect((await h.api('PATCH', '/admin/connectors/snow', { baseUrl: other.url, auth: { password: 'p' } })).status).toBe(200);
        const check = (await h.api('POST', '/admin/connectors/snow/test')).body;
        expect(check).toMatchObject({ ok: false, status, reason: { 200: 'unexpected_status', 302: 'redirected', 401: 'unauthorized', 500: 'server_error' }[status] });
        expect(JSON.stringify(check)).not.toContain(PAGE_MARKER);
        expect(JSON.stringify(check)).not.toContain('hunter2');
      } finally {
        await other.close();
      }
    }
    // A port where nothing listens: the error code, not the whole message.
    await h.api('PATCH', '/admin/connectors/snow', { baseUrl: 'http://127.0.0.1:9', auth: { password: 'p' } });
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: false, status: null, reason: 'unreachable', message: 'Authentication: no connection could be made (ECONNREFUSED)' });
    await h.api('PATCH', '/admin/connectors/snow', { baseUrl: h.sim.url, auth: { password: 'integration-pass' } });
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: true });
  });
});

describe('ITSM_ALLOWED_HOSTS', () => {
  // The simulators are reached as "localhost" (allowed); the foreign host as 127.0.0.1 (not allowed).
  const local = (url: string) => url.replace('127.0.0.1', 'localhost');
  let h: Harness;
  let foreign: Awaited<ReturnType<typeof startForeignHost>>;
  let jira: JiraSim;
  beforeAll(async () => {
    foreign = await startForeignHost({ status: 200 });
    jira = createJiraSim({ variant: 'cloud', cloudId: 'cloud-1' });
    await jira.listen(0, '127.0.0.1');
    h = await startHarness({ ITSM_MAX_ATTEMPTS: '2', ITSM_ALLOWED_HOSTS: 'localhost,*.service-now.com' });
  });
  afterAll(async () => {
    await h?.close();
    await jira?.close();
    await foreign?.close();
  });

  it('refuses to save a connector pointing elsewhere, naming the field and the list', async () => {
    const r = await h.api('POST', '/admin/connectors', { ...snowConnector(h.sim), baseUrl: foreign.url });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ path: 'baseUrl', message: `host 127.0.0.1:${foreign.port} is not in ITSM_ALLOWED_HOSTS (localhost, *.service-now.com)` }]);
    expect((await h.api('POST', '/admin/connectors', { ...snowConnector(h.sim), baseUrl: local(h.sim.url) })).status).toBe(201);
    expect((await h.api('PATCH', '/admin/connectors/snow', { baseUrl: foreign.url, auth: { password: 'p' } })).status).toBe(400);
    expect((await h.api('POST', '/admin/connectors/snow/test')).body).toMatchObject({ ok: true });
  });

  it('refuses every call of a connector stored before the list, API and OAuth token calls alike, before sending anything', async () => {
    const save = (def: Record<string, unknown>) => h.service.ctx.connectors.save(connectorDefinitionSchema.parse(def));
    await save({ ...snowConnector(h.sim), id: 'old-basic', baseUrl: foreign.url });
    await save({ ...snowConnector(h.sim), id: 'old-oauth', baseUrl: foreign.url, auth: { type: 'oauth_password', clientId: 'c', clientSecret: 's', username: 'u', password: 'p' } });
    // Jira OAuth: the API gateway is allowed, the token endpoint is not.
    await save({ id: 'jira-oauth', name: 'J', kind: 'jira', baseUrl: 'https://acme.atlassian.net', auth: { type: 'oauth', cloudId: 'cloud-1', clientId: 'c', clientSecret: 's', refreshToken: 'r' }, jira: { projects: ['SUP'], oauthApiUrl: local(jira.url), oauthTokenUrl: `${foreign.url}/oauth/token` } });
    for (const id of ['old-basic', 'old-oauth', 'jira-oauth']) {
      const check = (await h.api('POST', `/admin/connectors/${id}/test`)).body;
      expect({ id, check }).toMatchObject({ id, check: { ok: false, reason: 'host_not_allowed', message: `Authentication: refused before sending: host 127.0.0.1:${foreign.port} is not in ITSM_ALLOWED_HOSTS (localhost, *.service-now.com)` } });
    }
    expect(foreign.requests).toEqual([]);
    expect(jira.stats().log).toEqual([]);
  });
});
