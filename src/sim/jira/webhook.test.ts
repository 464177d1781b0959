import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adf, fixture, seed } from './test-support.js';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A receiver answering each request with the next status from `statuses` (then 200). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jira`, received };
}

const SECRET = 'whsec-0123456789';

describe('webhooks', () => {
  it('transition: jira:issue_updated in the REST v2 form, signed with X-Hub-Signature over the raw body', async () => {
    const hook = await receiver();
    const f = fixture();
    const { issues, reporter, agent } = seed(f.sim, 1);
    f.sim.webhook.target = { url: hook.url, secret: SECRET };
    f.sim.transition(issues[0]!.key, 'Done', new Date('2025-06-01T10:00:00Z'));
    await f.sim.webhook.flush();
    expect(hook.received).toHaveLength(1);
    const { headers, raw, body } = hook.received[0]!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-atlassian-webhook-identifier']).toBeTruthy();
    expect(headers).not.toHaveProperty('x-atlassian-webhook-retry');
    expect(headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
    expect(body).toMatchObject({
      timestamp: Date.parse('2025-06-01T10:00:00Z'),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      user: { accountId: agent.accountId, displayName: 'Alan Agent' },
      issue: {
        id: issues[0]!.id,
        key: issues[0]!.key,
        self: `https://sim.atlassian.net/rest/api/2/issue/${issues[0]!.id}`,
        fields: {
          status: { name: 'Done', statusCategory: { key: 'done' } },
          resolution: { name: 'Done' },
          resolutiondate: '2025-06-01T10:00:00.000+0000',
          reporter: { accountId: reporter.accountId },
          project: { key: 'SUP', projectTypeKey: 'service_desk' },
          issuetype: { name: 'Service Request' },
          priority: { name: 'Medium' },
          labels: ['hardware'],
          components: [{ name: 'Printers' }],
        },
      },
      changelog: { id: expect.any(String), items: [{ field: 'status', fieldId: 'status', fromString: 'To Do', toString: 'Done' }, { field: 'resolution', fieldId: 'resolution', from: null, fromString: null, toString: 'Done' }] },
    });
    expect(body.issue.fields.reporter).not.toHaveProperty('emailAddress');
    expect(f.sim.stats().webhooks).toMatchObject({ sent: 1, failed: 0, retried: 0 });
  });

  it('comments fire issue_commented with a comment object and no status change; DC targets are unsigned', async () => {
    const hook = await receiver();
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    f.sim.transition(issues[0]!.key, 'Done');
    f.sim.webhook.target = { url: hook.url, secret: null };
    expect((await f.send('POST', `/rest/api/3/issue/${issues[0]!.key}/comment`, { body: adf('Thanks!') })).status).toBe(201);
    expect((await f.send('POST', `/rest/servicedeskapi/request/${issues[0]!.key}/comment`, { body: 'internal', public: false })).status).toBe(201);
    f.sim.addComment(issues[0]!.key, { body: 'from the control API' });
    await f.sim.webhook.flush();
    expect(hook.received).toHaveLength(3);
    for (const r of hook.received) {
      expect(r.headers).not.toHaveProperty('x-hub-signature');
      expect(r.body.issue_event_type_name).toBe('issue_commented');
      expect(r.body.issue.fields.status.statusCategory.key).toBe('done');
      expect((r.body.changelog?.items ?? []).some((i: { fieldId?: string }) => i.fieldId === 'status')).toBe(false);
      expect(typeof r.body.comment.body).toBe('string');
    }
    expect(hook.received.map((r) => r.body.comment.body)).toEqual(['Thanks!', 'internal', 'from the control API']);
    expect(hook.received[1]!.body.comment.jsdPublic).toBe(false);
  });

  it('retries on 5xx/429 with X-Atlassian-Webhook-Retry and the same identifier; gives up after failFirstAttempts retries', async () => {
    const hook = await receiver([503, 429]);
    const f = fixture();
    const { issues } = seed(f.sim, 2);
    f.sim.webhook.target = { url: hook.url, secret: SECRET };
    f.sim.webhook.retryDelaysMs = [10, 20];
    f.sim.transition(issues[0]!.key, 'Done');
    await f.sim.webhook.flush();
    expect(hook.received).toHaveLength(3);
    const ids = new Set(hook.received.map((r) => r.headers['x-atlassian-webhook-identifier']));
    expect(ids.size).toBe(1);
    expect(hook.received.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    for (const r of hook.received) expect(r.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
    expect(f.sim.stats().webhooks).toMatchObject({ sent: 1, failed: 0, retried: 2, attempts: 3 });

    const down = await receiver([500, 500, 500]);
    f.sim.webhook.target = { url: down.url, secret: SECRET };
    f.sim.webhook.failFirstAttempts = 2;
    f.sim.transition(issues[1]!.key, 'Done');
    await f.sim.webhook.flush();
    expect(down.received).toHaveLength(3);
    expect(f.sim.stats().webhooks).toMatchObject({ sent: 1, failed: 1, retried: 4 });

    const gone = await receiver([404]);
    f.sim.webhook.target = { url: gone.url, secret: SECRET };
    f.sim.transition(issues[1]!.key, 'In Progress');
    await f.sim.webhook.flush();
    expect(gone.received).toHaveLength(1); // 404 is not retried
  });

  it('retries on timeouts and network errors', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    f.sim.webhook.target = { url: 'http://127.0.0.1:1/unreachable', secret: null };
    f.sim.webhook.retryDelaysMs = [5];
    f.sim.webhook.failFirstAttempts = 2;
    f.sim.transition(issues[0]!.key, 'Done');
    await f.sim.webhook.flush();
    expect(f.sim.stats().webhooks).toMatchObject({ failed: 1, attempts: 3, retried: 2 });
    expect(f.sim.webhook.deliveries[0]!.attempts.every((a) => a.status === null)).toBe(true);
  });

  it('duplicateRate delivers the same delivery twice with the same identifier', async () => {
    const hook = await receiver();
    const f = fixture({ seed: 3 });
    const { issues } = seed(f.sim, 10);
    f.sim.webhook.target = { url: hook.url, secret: SECRET };
    f.sim.webhook.duplicateRate = 1;
    f.sim.transition(issues[0]!.key, 'Done');
    await f.sim.webhook.flush();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]!.headers['x-atlassian-webhook-identifier']).toBe(hook.received[1]!.headers['x-atlassian-webhook-identifier']);
    expect(hook.received[0]!.raw).toBe(hook.received[1]!.raw);

    f.sim.webhook.duplicateRate = 0.5;
    for (const i of issues.slice(1)) f.sim.transition(i.key, 'Done');
    await f.sim.webhook.flush();
    const byId = new Map<string, number>();
    for (const r of hook.received) byId.set(String(r.headers['x-atlassian-webhook-identifier']), (byId.get(String(r.headers['x-atlassian-webhook-identifier'])) ?? 0) + 1);
    expect(byId.size).toBe(10);
    const dupes = [...byId.values()].filter((n) => n === 2).length;
    expect(dupes).toBe(f.sim.stats().webhooks.duplicates);
    expect(dupes).toBeGreaterThan(1);
  });

  it('API edits fire issue_updated with the changed fields; leaving done clears the resolution', async () => {
    const hook = await receiver();
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const key = issues[0]!.key;
    f.sim.transition(key, 'Done');
    f.sim.webhook.target = { url: hook.url, secret: SECRET };
    await f.send('PUT', `/rest/api/3/issue/${key}`, { fields: { customfield_10060: 'promoter' } });
    f.sim.transition(key, 'In Progress');
    await f.sim.webhook.flush();
    expect(hook.received[0]!.body).toMatchObject({ issue_event_type_name: 'issue_updated', changelog: { items: [{ fieldId: 'customfield_10060', toString: 'promoter' }] } });
    expect(hook.received[1]!.body.issue.fields).toMatchObject({ resolution: null, resolutiondate: null, status: { name: 'In Progress' } });
    expect(hook.received[1]!.body.changelog.items[1]).toMatchObject({ fieldId: 'resolution', to: null, toString: null });
  });
});
