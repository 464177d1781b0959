import { describe, expect, it } from 'vitest';
import { fixture } from './test-support.js';

const CLIENT = { client_id: 'sim-client-id', client_secret: 'sim-client-secret' };

async function token(f: ReturnType<typeof fixture>, body: unknown) {
  const r = await f.sim.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: r.statusCode, headers: r.headers, body: JSON.parse(r.body) as Record<string, any> };
}
const myself = (f: ReturnType<typeof fixture>, accessToken: string) => f.get('/ex/jira/sim-cloud/rest/api/3/myself', { authorization: `Bearer ${accessToken}` });

describe('OAuth 2.0 token endpoint (POST /oauth/token)', () => {
  it('rotates refresh tokens: each refresh returns a new one and retires the one presented', async () => {
    const f = fixture();
    const { refreshToken: first } = f.sim.oauth.issueGrant();
    const r1 = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: first });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: 3600, token_type: 'Bearer', scope: expect.stringContaining('offline_access') });
    expect(r1.body.refresh_token).not.toBe(first);
    expect((await myself(f, r1.body.access_token)).status).toBe(200);

    const again = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: first });
    expect(again.status).toBe(403);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
    const r2 = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: r1.body.refresh_token });
    expect(r2.status).toBe(200);
    expect(f.sim.oauth.grants()[0]).toMatchObject({ refreshToken: r2.body.refresh_token, issuedRefreshTokens: 3, revoked: false });
    const s = f.sim.stats().oauth;
    expect(s).toMatchObject({ tokenRequests: 3, issued: 2, rejected: { invalid_grant: 1 }, reusedRefreshTokens: 1 });
    expect(f.sim.stats().byRoute['POST /oauth/token']).toBe(3);
  });

  it('refuses wrong clients and other grant types with Atlassian error bodies', async () => {
    const f = fixture();
    const { refreshToken } = f.sim.oauth.issueGrant();
    expect((await token(f, { grant_type: 'refresh_token', client_id: 'sim-client-id', client_secret: 'nope', refresh_token: refreshToken })).body.error).toBe('unauthorized_client');
    expect((await token(f, { grant_type: 'authorization_code', ...CLIENT, code: 'x' })).body.error).toBe('unsupported_grant_type');
    expect((await token(f, { grant_type: 'refresh_token', ...CLIENT })).status).toBe(400);
    // A refused request does not spend the refresh token.
    expect((await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: refreshToken })).status).toBe(200);
  });

  it('gateway accepts issued access tokens only until they expire or the grant is revoked; static tokens still work', async () => {
    const f = fixture({ oauth: { accessTokenTtlSeconds: 0.2 } });
    const { refreshToken, grantId } = f.sim.oauth.issueGrant();
    const r = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: refreshToken });
    expect((await myself(f, r.body.access_token)).status).toBe(200);
    await new Promise((res) => setTimeout(res, 250)); // the token's lifetime
    const expired = await myself(f, r.body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: 401, message: 'Unauthorized' });
    expect((await myself(f, 'bearer-token')).status).toBe(200);

    f.sim.oauth.accessTokenTtlSeconds = 3600;
    const r2 = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: r.body.refresh_token });
    expect((await myself(f, r2.body.access_token)).status).toBe(200);
    f.sim.oauth.revoke(grantId);
    expect((await myself(f, r2.body.access_token)).status).toBe(401);
    expect((await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: r2.body.refresh_token })).body.error).toBe('invalid_grant');
  });

  it('is driven through /sim/oauth: lifetime, grants, revocation and seeded failures with Retry-After', async () => {
    const f = fixture();
    const put = await f.sim.app.inject({ method: 'PUT', url: '/sim/oauth', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ accessTokenTtlSeconds: 2 }) });
    expect(JSON.parse(put.body)).toMatchObject({ accessTokenTtlSeconds: 2 });
    const grant = JSON.parse((await f.sim.app.inject({ method: 'POST', url: '/sim/oauth/grants' })).body) as { grantId: string; refreshToken: string };
    expect(grant.refreshToken).toMatch(/^sim-rt-/);
    const fail = await f.sim.app.inject({ method: 'POST', url: '/sim/oauth/fail', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ count: 1, status: 503, retryAfterSeconds: 7 }) });
    expect(fail.statusCode).toBe(204);
    const failed = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: grant.refreshToken });
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('7');
    const ok = await token(f, { grant_type: 'refresh_token', ...CLIENT, refresh_token: grant.refreshToken });
    expect(ok.body.expires_in).toBe(2);
    expect((await f.sim.app.inject({ method: 'POST', url: '/sim/oauth/revoke', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grantId: grant.grantId }) })).statusCode).toBe(204);
    expect((await f.sim.app.inject({ method: 'POST', url: '/sim/oauth/revoke', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grantId: 'nope' }) })).statusCode).toBe(404);
    expect(f.sim.stats().oauth.rejected).toEqual({ '503': 1 });
  });
});
