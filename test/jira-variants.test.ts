import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { MemoryRateGate } from '../src/lib/rate-gate.js';
import { parseRateLimitReset } from '../src/connectors/http/itsm-http.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { JiraConnector } from '../src/connectors/jira/connector.js';
import type { JiraDefinition } from '../src/connectors/jira/definition.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { CustomerValues } from '../src/render/itsm-doc.js';
import { validateJiraRequest } from '../src/sim/jira/openapi-validator.js';
import { waitFor } from './support/env.js';
import { startHarness, type Harness } from './support/harness.js';
import { freePort } from './support/free-port.js';

const deps = () => ({ logger: createLogger('silent'), gate: new MemoryRateGate(), http: { timeoutMs: 5000, maxAttempts: 4, maxInlineWaitMs: 5000 } });

describe('Jira Data Center', () => {
  let jira: JiraSim;
  let h: Harness;
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'datacenter', bearerTokens: ['dc-pat'] });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'OPS', name: 'Ops', type: 'software' });
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    const r = await h.api('POST', '/admin/connectors', {
      id: 'jira-dc', name: 'Jira DC', kind: 'jira', baseUrl: jira.url, auth: { type: 'pat', token: 'dc-pat' }, webhookSecret: 'dc-secret-0123456789abcdef',
      intake: { mode: 'both', pollIntervalSeconds: 3600 }, jira: { variant: 'datacenter', projects: ['OPS'] }, writeBack: { debounceSeconds: 0 },
    });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await jira?.close();
  });

  it('accepts unsigned webhooks only with the secret in the URL, polls /rest/api/2/search, and writes escaped wiki text', async () => {
    expect((await h.api('POST', '/admin/connectors/jira-dc/test')).body).toMatchObject({ ok: true });
    const u = jira.createUser({ displayName: 'Dee', email: 'dee@example.com' });
    const issue = jira.createIssue({ project: 'OPS', summary: 'Disk full', reporter: u.accountId });
    // Without the secret: refused. With it: accepted.
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira-dc?secret=wrong`, secret: null };
    jira.transition(issue.key, 'Done');
    await jira.webhook.flush();
    expect(await h.te.db.selectFrom('inbound_events').selectAll().execute()).toEqual([]);
    jira.webhook.target = { url: `${h.service.url}/webhooks/jira/jira-dc?secret=dc-secret-0123456789abcdef`, secret: null };
    jira.transition(issue.key, 'In Progress');
    jira.transition(issue.key, 'Done');
    await jira.webhook.flush();
    await waitFor('the closure', async () => (await h.te.db.selectFrom('closures').selectAll().execute()).length >= 1);
    await h.api('POST', '/admin/connectors/jira-dc/poll');
    await waitFor('the survey', async () => (await h.te.db.selectFrom('surveys').selectAll().execute()).length >= 1);

    // The write-back escapes wiki markup in customer text.
    const connector = new JiraConnector(connectorDefinitionSchema.parse((await h.service.ctx.connectors.get('jira-dc'))!) as JiraDefinition, deps());
    const values = new CustomerValues();
    const doc = values.toDoc(`${values.put('{code}<b>[x|http://evil]</b>{code}\nh1. Big')}\nRef FB-A1-x`);
    await connector.writeFeedback(issue.id, { marker: 'FB-A1-x', doc, visibility: 'internal', fields: {} });
    const comment = jira.comments(issue.key).at(-1);
    expect(typeof comment.body).toBe('string');
    expect(comment.body).toContain('\\{code\\}');
    expect(comment.body).toContain('\n&#104;1. Big'); // no heading
    expect(await connector.hasNote(issue.id, 'FB-A1-x')).toBe(true);
    expect(jira.stats().invalidBodies).toEqual([]);
  });
});

describe('Jira Cloud through the OAuth gateway', () => {
  it('calls /ex/jira/{cloudId}/rest/api/3 with a bearer token', async () => {
    const jira = createJiraSim({ variant: 'cloud', cloudId: 'cloud-123', bearerTokens: ['oauth-token'] });
    await jira.listen(0, '127.0.0.1');
    // The connection check reads an issue and the permissions of the connector's project: it must exist.
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    try {
      const def = connectorDefinitionSchema.parse({ id: 'jo', name: 'J', kind: 'jira', baseUrl: 'https://acme.atlassian.net', auth: { type: 'oauth', cloudId: 'cloud-123', accessToken: 'oauth-token' }, jira: { projects: ['SUP'], oauthApiUrl: jira.url } });
      const c = new JiraConnector(def as JiraDefinition, deps());
      expect(await c.checkConnection()).toMatchObject({ ok: true });
      const bad = new JiraConnector(connectorDefinitionSchema.parse({ ...def, auth: { type: 'oauth', cloudId: 'cloud-123', accessToken: 'nope' } }) as JiraDefinition, deps());
      expect((await bad.checkConnection()).message).toMatch(/401/);
      expect(jira.stats().log.every((l) => l.url.startsWith('/ex/jira/cloud-123/'))).toBe(true);
    } finally {
      await jira.close();
    }
  });

  it('rejects a plain-string comment body in the contract validator (the gap CONTRACTS.md names)', () => {
    expect(validateJiraRequest('POST', '/rest/api/3/issue/{issueIdOrKey}/comment', { body: 'plain text' }).length).toBeGreaterThan(0);
    expect(validateJiraRequest('POST', '/rest/api/3/issue/{issueIdOrKey}/comment', { body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'ok' }] }] } })).toEqual([]);
  });

  it('reads X-RateLimit-Reset as epoch seconds or an ISO time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRateLimitReset('1767225605', now)).toBe(5000);
    expect(parseRateLimitReset('2026-01-01T00:00:07Z', now)).toBe(7000);
    expect(parseRateLimitReset(undefined, now)).toBeNull();
  });
});
