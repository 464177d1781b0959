import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { SecretBox } from '../src/lib/secret-box.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { JiraOAuthTokens } from '../src/connectors/jira/oauth-tokens.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { ConnectorStore } from '../src/store/connectors.js';
import { OAuthTokenStore } from '../src/store/oauth-tokens.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { RetryLaterError } from '../src/lib/retry.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, type Harness } from './support/harness.js';

const CLIENT = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret' };
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 Firefox/130.0' };
const count = async (h: Harness, q: string) => Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(h.te.db)).rows[0]!.n);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function oauthConnector(id: string, jira: JiraSim, refreshToken: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Jira OAuth ${id}`,
    kind: 'jira',
    baseUrl: 'https://acme.atlassian.net',
    auth: { type: 'oauth', cloudId: 'cloud-1', ...CLIENT, refreshToken },
    intake: { mode: 'poll', pollIntervalSeconds: 3600, overlapSeconds: 300 },
    jira: { projects: ['SUP'], oauthApiUrl: jira.url, oauthTokenUrl: `${jira.url}/oauth/token` },
    writeBack: { debounceSeconds: 0 },
    followUp: { enabled: false },
    ...extra,
  };
}

/** Token-endpoint calls the simulator answered for one grant (failures without a grant are counted apart). */
const callsFor = (jira: JiraSim, grantId: string) => jira.stats().oauth.log.filter((l) => l.grantId === grantId).length;

let h: Harness;
let box: SecretBox;

beforeAll(async () => {
  const port = await freePort();
  h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ITSM_TIMEOUT_MS: '5000' }, { captureLogs: true });
  box = new SecretBox(h.te.config.SECRET_KEY);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('Jira Cloud OAuth with rotating refresh tokens, in the running service', () => {
  let jira: JiraSim;
  let grantId: string;

  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud', cloudId: 'cloud-1', oauth: { accessTokenTtlSeconds: 2 } });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    const grant = jira.oauth.issueGrant();
    grantId = grant.grantId;
    const r = await h.api('POST', '/admin/connectors', oauthConnector('jo', jira, grant.refreshToken));
    expect(r.status).toBe(201);
    expect(r.body.connector.auth).toEqual({ type: 'oauth', cloudId: 'cloud-1', clientId: CLIENT.clientId, clientSecret: '********', refreshToken: '********' });
  });
  afterAll(async () => {
    await jira?.close();
  });

  let failedPoll = '';
  const closeOneAndPoll = async (summary: string, trigger = async () => void (await h.api('POST', '/admin/connectors/jo/poll'))) => {
    const before = await count(h, 'SELECT count(*) AS n FROM closures');
    // A new requester each time: anti-spam would not survey the same person twice in a row.
    const reporter = jira.createUser({ displayName: `Requester ${before}`, email: `requester${before}@example.com` }).accountId;
    const issue = jira.createIssue({ project: 'SUP', summary, reporter });
    jira.transition(issue.key, 'Done');
    await trigger();
    await waitFor(`the closure of ${issue.key}`, async () => (await count(h, 'SELECT count(*) AS n FROM closures')) === before + 1, 20_000);
    return issue;
  };
  const tokenRow = () => h.te.db.selectFrom('oauth_tokens').selectAll().where('connector_id', '=', 'jo').executeTakeFirstOrThrow();

  it('(a) keeps the loop working across several access-token expiries and keeps the rotated refresh token, encrypted', async () => {
    const issues = [];
    for (let round = 0; round < 3; round++) {
      issues.push(await closeOneAndPoll(`Round ${round}`));
      // Let the access token in use run out before the next round (the only wait the test needs).
      const expiresAt = (await tokenRow()).expires_at!.getTime();
      await waitFor('the access token to expire', () => Date.now() > expiresAt, 5000);
    }
    // The survey goes out; the answer is written back through the gateway with a fresh token.
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('three surveys', () => transport.sent.length === 3, 20_000);
    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(transport.sent[0]!.html)![1]!).pathname;
    const page = await h.api('GET', path, undefined, { token: null });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: '5', comment: 'quick fix' }).toString() });
    await waitFor('the write-back', async () => (await count(h, "SELECT count(*) AS n FROM writebacks WHERE status = 'done'")) === 1, 20_000);

    const s = jira.stats();
    expect(s.oauth.issued).toBeGreaterThanOrEqual(4); // at least one refresh per expiry
    expect(s.oauth.rejected).toEqual({});
    expect(s.oauth.reusedRefreshTokens).toBe(0);
    expect(s.log.filter((l) => l.url.startsWith('/ex/jira/cloud-1/')).every((l) => l.status < 400)).toBe(true);

    // The rotated refresh token is the one stored, only as ciphertext bound to the connector.
    const row = await tokenRow();
    const current = jira.oauth.grants().find((g) => g.grantId === grantId)!;
    expect(current.issuedRefreshTokens).toBeGreaterThanOrEqual(5);
    expect(box.open(row.refresh_token_ciphertext, 'jo/oauth/refresh')).toBe(current.refreshToken);
    expect(() => box.open(row.refresh_token_ciphertext, 'other/oauth/refresh')).toThrow();
    const tables = JSON.stringify([row, await h.te.db.selectFrom('connectors').selectAll().execute()]);
    expect(tables).not.toMatch(/sim-rt-|sim-at-|sim-client-secret/);
    expect(h.logs.join('')).not.toMatch(/sim-rt-|sim-at-|sim-client-secret/);
  }, 60_000);

  it('(c) a revoked grant gives a clear permanent error and one ALARM, without hammering the token endpoint', async () => {
    jira.oauth.revoke(grantId);
    const calls = callsFor(jira, grantId);
    for (let i = 0; i < 3; i++) {
      const check = (await h.api('POST', '/admin/connectors/jo/test')).body as { ok: boolean; message: string };
      expect(check.ok).toBe(false);
      expect(check.message).toContain('Jira OAuth refresh token was rejected (invalid_grant): re-authorise the app and apply the connector with a new auth.refreshToken');
    }
    failedPoll = (await h.api('POST', '/admin/connectors/jo/poll')).body.jobId;
    await waitFor('the poll to fail with the reason', async () => {
      const c = await h.te.db.selectFrom('poll_cursors').select('last_error').where('connector_id', '=', 'jo').executeTakeFirst();
      return c?.last_error?.includes('refresh token was rejected (invalid_grant)');
    });
    expect(callsFor(jira, grantId) - calls).toBe(1);
    expect(jira.stats().oauth.rejected).toEqual({ invalid_grant: 1 });
    const alarms = h.logs.filter((l) => l.includes('ALARM') && l.includes('invalid_grant'));
    expect(alarms).toHaveLength(1);
    expect(JSON.parse(alarms[0]!)).toMatchObject({ level: 50, connectorId: 'jo' });
  }, 30_000);

  it('(d) applying a new refresh token through the admin API takes effect at once', async () => {
    const grant = jira.oauth.issueGrant();
    const r = await h.api('PATCH', '/admin/connectors/jo', { auth: { refreshToken: grant.refreshToken } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.changed).toEqual(['auth.refreshToken']);
    const check = await h.api('POST', '/admin/connectors/jo/test');
    expect(check.body, JSON.stringify(check.body)).toMatchObject({ ok: true });
    expect(callsFor(jira, grant.grantId)).toBe(1);
    const row = await tokenRow();
    expect(row.seed_hash).toBe(sha256(grant.refreshToken));
    expect(row.grant_error).toBeNull();
    expect(box.open(row.refresh_token_ciphertext, 'jo/oauth/refresh')).toBe(jira.oauth.grants().find((g) => g.grantId === grant.grantId)!.refreshToken);
    // The manual poll that failed for good while the grant was dead: asking to poll again is the retry.
    await waitFor('the failed poll job', async () => (await h.api('GET', `/admin/jobs/poll/${failedPoll}`)).body?.failedReason);
    await closeOneAndPoll('After re-authorising');
    // The poll records its success once its closures are decided, a moment after they are stored.
    await waitFor('the poll cursor healthy again', async () => (await h.te.db.selectFrom('poll_cursors').select('last_error').where('connector_id', '=', 'jo').executeTakeFirstOrThrow()).last_error === null);
  }, 30_000);
});

describe('token sources of several processes on one database', () => {
  let jira: JiraSim;
  const dbs: Db[] = [];
  const logger = createLogger('silent');
  const http = { timeoutMs: 5000, maxAttempts: 3, maxInlineWaitMs: 1000 };

  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud', cloudId: 'cloud-1', oauth: { accessTokenTtlSeconds: 2 } });
    await jira.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.destroy()));
    await jira?.close();
  });

  /** A connector on the shared database, and one token source per "process" (each with its own pool). */
  async function setup(id: string, processes: number) {
    const grant = jira.oauth.issueGrant();
    await new ConnectorStore(h.te.db, box).save(connectorDefinitionSchema.parse(oauthConnector(id, jira, grant.refreshToken)));
    const sources = Array.from({ length: processes }, () => {
      const { db } = createDb(h.te.config.DATABASE_URL, 3);
      dbs.push(db);
      return new JiraOAuthTokens({ connectorId: id, tokenUrl: `${jira.url}/oauth/token`, ...CLIENT }, new OAuthTokenStore(db, box), { logger, http });
    });
    return { grant, sources };
  }
  const works = async (accessToken: string) => (await fetch(`${jira.url}/ex/jira/cloud-1/rest/api/3/myself`, { headers: { authorization: `Bearer ${accessToken}` } })).status === 200;

  it('(b) concurrent callers in two processes cause exactly one token request per expiry, and none loses the rotation', async () => {
    const { grant, sources } = await setup('jb', 2);
    for (let round = 0; round < 3; round++) {
      const before = callsFor(jira, grant.grantId);
      const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => sources[i % 2]!.accessToken()));
      expect(new Set(tokens).size).toBe(1);
      expect(callsFor(jira, grant.grantId) - before).toBe(1);
      expect(await works(tokens[0]!)).toBe(true);
      const row = await h.te.db.selectFrom('oauth_tokens').selectAll().where('connector_id', '=', 'jb').executeTakeFirstOrThrow();
      await waitFor('the access token to need a refresh', () => Date.now() > row.expires_at!.getTime() - 500, 5000);
    }
    expect(jira.stats().oauth.rejected).toEqual({});
    expect(jira.stats().oauth.reusedRefreshTokens).toBe(0);
    // A third process starting now picks up the stored (rotated) refresh token and can still refresh.
    const late = new JiraOAuthTokens({ connectorId: 'jb', tokenUrl: `${jira.url}/oauth/token`, ...CLIENT }, new OAuthTokenStore(h.te.db, box), { logger, http });
    expect(await works(await late.accessToken())).toBe(true);
    expect(jira.stats().oauth.rejected).toEqual({});
  }, 30_000);

  it('after a 401 a token that was already replaced is not thrown away, and a refused one is refreshed once', async () => {
    const { grant, sources } = await setup('jr', 1);
    const src = sources[0]!;
    const first = await src.accessToken();
    src.invalidate({ Authorization: 'Bearer some-older-token' });
    expect(await src.accessToken()).toBe(first);
    expect(callsFor(jira, grant.grantId)).toBe(1);
    src.invalidate({ Authorization: `Bearer ${first}` });
    const second = await src.accessToken();
    expect(second).not.toBe(first);
    expect(callsFor(jira, grant.grantId)).toBe(2);
  });

  it('transient token-endpoint failures are retried later (honouring Retry-After), by no process before then', async () => {
    const { grant, sources } = await setup('jt', 2);
    jira.oauth.failNext(1, 503, 1);
    const failedBefore = jira.stats().oauth.rejected['503'] ?? 0;
    const err = await sources[0]!.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLaterError);
    expect((err as RetryLaterError).untilMs).toBeGreaterThan(Date.now() + 500);
    expect((err as Error).message).toMatch(/HTTP 503/);
    // The other process does not ask before Retry-After either.
    await expect(sources[1]!.accessToken()).rejects.toBeInstanceOf(RetryLaterError);
    expect((jira.stats().oauth.rejected['503'] ?? 0) - failedBefore).toBe(1);
    await waitFor('Retry-After to pass', () => Date.now() >= (err as RetryLaterError).untilMs, 3000);
    expect(await works(await sources[1]!.accessToken())).toBe(true);
    expect(callsFor(jira, grant.grantId)).toBe(1);
  });
});
