import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { waitFor } from './support/env.js';
import { startHarness, type Harness } from './support/harness.js';

const SECRET = 'jira-webhook-secret-0123456789';
const MINUTE = 60_000;

describe('Jira Cloud webhooks: replays are refused, genuine retries accepted once', () => {
  let jira: JiraSim;
  let h: Harness;
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    h = await startHarness({}, { captureLogs: true });
    const r = await h.api('POST', '/admin/connectors', {
      id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' },
      webhookSecret: SECRET, intake: { mode: 'push' }, jira: { projects: ['SUP'] },
    });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await jira?.close();
  });

  /** A closed issue and the signed body Jira sends for its closure, raised at `at`. */
  function closure(at: number) {
    const u = jira.createUser({ displayName: 'Rae', email: `rae${at}@example.com` });
    const issue = jira.createIssue({ project: 'SUP', summary: 'VPN', reporter: u.accountId });
    jira.transition(issue.key, 'Done');
    const raw = JSON.stringify({
      timestamp: at,
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      issue: { id: issue.id, key: issue.key, fields: { project: { key: 'SUP' }, status: { name: 'Done', statusCategory: { key: 'done' } } } },
      changelog: { id: String(at), items: [{ field: 'status', fieldId: 'status', fromString: 'Open', toString: 'Done' }] },
    });
    return { issue, raw };
  }
  const deliver = (raw: string, identifier: string, retry?: number) =>
    h.api('POST', '/webhooks/jira/jira', undefined, {
      token: null,
      rawBody: raw,
      headers: { 'x-hub-signature': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`, 'x-atlassian-webhook-identifier': identifier, ...(retry ? { 'x-atlassian-webhook-retry': String(retry) } : {}) },
    });
  const events = async (externalId: string) => (await h.te.db.selectFrom('inbound_events').select('dedupe_key').where('external_id', '=', externalId).execute()).length;

  it('a delivery and its retries (same body, same identifier) are accepted once, also 40 minutes after the event', async () => {
    for (const age of [0, 40 * MINUTE]) {
      const { issue, raw } = closure(Date.now() - age);
      expect((await deliver(raw, `id-${age}`)).body).toEqual({ accepted: 1, duplicates: 0 });
      expect((await deliver(raw, `id-${age}`, 1)).body).toEqual({ accepted: 0, duplicates: 1 });
      expect((await deliver(raw, `id-${age}`, 2)).body).toEqual({ accepted: 0, duplicates: 1 });
      expect(await events(issue.id)).toBe(1);
      await waitFor('the closure', async () => (await h.te.db.selectFrom('closures as c').innerJoin('tickets as t', 't.id', 'c.ticket_id').select('c.id').where('t.external_id', '=', issue.id).execute()).length === 1);
    }
  });

  it('a captured delivery replayed with a fresh identifier is a duplicate within the window, and refused (400, logged) days later', async () => {
    const now = closure(Date.now());
    expect((await deliver(now.raw, 'fresh-1')).status).toBe(202);
    expect((await deliver(now.raw, 'fresh-2')).body).toEqual({ accepted: 0, duplicates: 1 });
    expect(await events(now.issue.id)).toBe(1);

    const old = closure(Date.now() - 3 * 24 * 60 * MINUTE);
    const replay = await deliver(old.raw, 'never-seen-identifier');
    expect(replay.status).toBe(400);
    expect(replay.body.message).toMatch(/^stale delivery: its signed timestamp is 4320 minutes old; deliveries older than 60 minutes are refused as replays$/);
    expect(await events(old.issue.id)).toBe(0);
    expect(h.logs.some((l) => l.includes('Jira webhook refused as a possible replay') && l.includes('never-seen-identifier'))).toBe(true);
  });

  it('a signed body without a timestamp, or one far in the future, is refused', async () => {
    const { issue, raw } = closure(Date.now());
    const noTimestamp = JSON.stringify({ ...JSON.parse(raw), timestamp: undefined });
    expect((await deliver(noTimestamp, 'no-ts')).status).toBe(400);
    const future = closure(Date.now() + 30 * MINUTE);
    expect((await deliver(future.raw, 'future')).body.message).toMatch(/in the future/);
    expect(await events(issue.id)).toBe(0);
  });
});
