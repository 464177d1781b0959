import { describe, expect, it } from 'vitest';
import { BASIC, fixture } from './test-support.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function token(f: ReturnType<typeof fixture>, form: Record<string, string>, headers: Record<string, string> = {}) {
  const r = await f.sim.app.inject({ method: 'POST', url: '/oauth_token.do', headers: { ...FORM, ...headers }, payload: new URLSearchParams(form).toString() });
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
}

const CLIENT = { client_id: 'feedback-client', client_secret: 'feedback-secret' };
const UNAUTH = { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' };

describe('auth', () => {
  it('accepts Basic for a configured user and rejects wrong/missing credentials with 401', async () => {
    const f = fixture();
    expect((await f.get('/api/now/table/incident')).status).toBe(200);
    const wrong = await f.get('/api/now/table/incident', { authorization: `Basic ${Buffer.from('integration:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(UNAUTH);
    const none = await f.sim.app.inject({ method: 'GET', url: '/api/now/table/incident' });
    expect(none.statusCode).toBe(401);
    expect(JSON.parse(none.body)).toEqual(UNAUTH);
  });

  it('uses configured users; the authenticated user lands in sys_created_by', async () => {
    const f = fixture({ users: [{ username: 'svc', password: 's3cret' }] });
    expect((await f.get('/api/now/table/incident')).status).toBe(401);
    const auth = `Basic ${Buffer.from('svc:s3cret').toString('base64')}`;
    const r = await f.send('POST', '/api/now/table/incident', { short_description: 'x' }, { authorization: auth });
    expect(r.body.result.sys_created_by).toBe('svc');
  });

  it('issues tokens for grant_type=password and refresh_token; bearer tokens work', async () => {
    const f = fixture();
    const pw = await token(f, { grant_type: 'password', ...CLIENT, username: 'integration', password: 'integration-pass' });
    expect(pw.status).toBe(200);
    expect(pw.body).toMatchObject({ scope: 'useraccount', token_type: 'Bearer', expires_in: 1800 });
    expect(typeof pw.body.access_token).toBe('string');
    expect(typeof pw.body.refresh_token).toBe('string');
    const ok = await f.get('/api/now/table/incident', { authorization: `Bearer ${String(pw.body.access_token)}` });
    expect(ok.status).toBe(200);

    const rt = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: String(pw.body.refresh_token) });
    expect(rt.status).toBe(200);
    expect(rt.body.access_token).not.toBe(pw.body.access_token);
    const r = await f.send('POST', '/api/now/table/incident', { short_description: 'x' }, { authorization: `Bearer ${String(rt.body.access_token)}` });
    expect(r.body.result.sys_created_by).toBe('integration');

    expect((await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: 'nope' })).status).toBe(401);
    expect(f.sim.stats().tokensIssued).toEqual({ password: 1, refresh_token: 1 });
  });

  it('issues tokens for grant_type=client_credentials (also with client_secret_basic)', async () => {
    const f = fixture();
    const cc = await token(f, { grant_type: 'client_credentials', ...CLIENT });
    expect(cc.status).toBe(200);
    expect(cc.body.token_type).toBe('Bearer');
    expect((await f.get('/api/now/table/incident', { authorization: `Bearer ${String(cc.body.access_token)}` })).status).toBe(200);
    const basic = `Basic ${Buffer.from('feedback-client:feedback-secret').toString('base64')}`;
    expect((await token(f, { grant_type: 'client_credentials' }, { authorization: basic })).status).toBe(200);
    expect(f.sim.stats().tokensIssued).toEqual({ client_credentials: 2 });
  });

  it('rejects bad client or user credentials with 401 {error_description, error}', async () => {
    const f = fixture();
    const denied = { error_description: 'access_denied', error: 'server_error' };
    const badClient = await token(f, { grant_type: 'client_credentials', client_id: 'feedback-client', client_secret: 'x' });
    expect(badClient).toEqual({ status: 401, body: denied });
    const badUser = await token(f, { grant_type: 'password', ...CLIENT, username: 'integration', password: 'x' });
    expect(badUser).toEqual({ status: 401, body: denied });
    const r = await f.sim.app.inject({ method: 'POST', url: '/oauth_token.do', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'client_credentials', ...CLIENT }) });
    expect(r.statusCode).toBe(401);
    expect(f.sim.stats().tokensIssued).toEqual({});
  });

  it('rejects expired access tokens with 401, and a refresh gets a working one', async () => {
    const f = fixture({ tokenTtlSeconds: 1 });
    const pw = await token(f, { grant_type: 'password', ...CLIENT, username: 'integration', password: 'integration-pass' });
    expect(pw.body.expires_in).toBe(1);
    const bearer = { authorization: `Bearer ${String(pw.body.access_token)}` };
    expect((await f.get('/api/now/table/incident', bearer)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await f.get('/api/now/table/incident', bearer);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(UNAUTH);
    const rt = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: String(pw.body.refresh_token) });
    expect((await f.get('/api/now/table/incident', { authorization: `Bearer ${String(rt.body.access_token)}` })).status).toBe(200);
  });

  it('does not require auth on /sim/*', async () => {
    const f = fixture();
    const r = await f.sim.app.inject({ method: 'GET', url: '/sim/stats' });
    expect(r.statusCode).toBe(200);
    expect(BASIC).toMatch(/^Basic /);
  });
});
