import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBusinessRule } from '../src/connectors/servicenow/business-rule.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { checkAdminWebhookBody } from '../src/sim/jira/admin-webhooks.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { consoleLogin, unescapeHtml, type ConsoleClient } from './support/console.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/** Guided push set-up through the console (no browser): ServiceNow update set and test closure, Jira webhook registration. */
describe('console: push set-up', () => {
  let h: Harness;
  let jira: JiraSim;
  let c: ConsoleClient;
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud', users: [{ email: 'bot@example.com', apiToken: 'api-token' }, { email: 'admin@example.com', apiToken: 'admin-token' }], adminEmails: ['admin@example.com'] });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', { id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' }, jira: { projects: ['SUP'] }, intake: { mode: 'push' } })).status).toBe(201);
    c = await consoleLogin(h.service.app!, h.te.config.ADMIN_TOKEN, 'Dana');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await jira?.close();
  });

  it('shows the generated Business Rule and serves the update set carrying the same script', async () => {
    const page = await c.get('/admin/console/connectors/snow/push');
    expect(page.status).toBe(200);
    const def = connectorDefinitionSchema.parse(snowConnector(h.sim));
    const script = renderBusinessRule(def as never, h.te.config.PUBLIC_URL);
    expect(unescapeHtml(/<textarea id="br-script"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)![1]!)).toBe(script);
    expect(page.body).not.toContain(WEBHOOK_SECRET);
    const xml = await c.get('/admin/console/connectors/snow/update-set.xml');
    expect(xml.headers['content-disposition']).toMatch(/attachment; filename="sys_remote_update_set_feedback_snow.xml"/);
    const p = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, cdataPropName: '#cdata' });
    const br = p.parse(p.parse(xml.body).unload.sys_update_xml[0].payload).record_update.sys_script;
    expect(br.script['#cdata']).toBe(script);
    expect(xml.body).not.toContain(WEBHOOK_SECRET);
  });

  it('sends a test closure to its own webhook, as the Business Rule would, and sees a worker re-read it', async () => {
    const r = await c.post('/admin/console/connectors/snow/test-closure', {});
    expect(r.status).toBe(200);
    expect(r.body).toContain('Test closure: received');
    expect(r.body).toMatch(/answered 202/);
    expect(r.body).toMatch(/re-read through the Table API: ticket not found/);
    const deliveries = await waitFor('the test delivery listed', async () => {
      const d = JSON.parse((await c.get('/admin/console/connectors/snow/deliveries.json')).body).deliveries;
      return d.length ? d : null;
    });
    expect(deliveries[0]).toMatchObject({ status: 202, outcome: 'accepted', test: true, summary: expect.stringContaining('TEST0000000') });
    const audit = (await h.api('GET', '/admin/audit?action=connector.test-closure')).body.entries;
    expect(audit[0]).toMatchObject({ actor: 'Dana', channel: 'console' });
  });

  it('rotates the webhook secret, shows it once, and the old one stops working', async () => {
    const r = await c.post('/admin/console/connectors/snow/rotate-secret', {});
    const secret = /id="new-secret" value="([^"]+)"/.exec(r.body)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await c.get('/admin/console/connectors/snow/push')).body).not.toContain(secret!);
    const push = (s: string) => h.service.app!.inject({ method: 'POST', url: '/webhooks/servicenow/snow', headers: { 'content-type': 'application/json', 'x-feedback-secret': s }, payload: JSON.stringify({ sys_id: 'b'.repeat(32), sys_updated_on: '2026-01-01 00:00:00' }) });
    expect((await push(WEBHOOK_SECRET)).statusCode).toBe(401);
    expect((await push(secret!)).statusCode).toBe(202);
    const [entry] = (await h.api('GET', '/admin/audit?action=connector.update')).body.entries;
    expect(entry).toMatchObject({ actor: 'Dana', channel: 'console', detail: 'changed: webhookSecret' });
    expect(JSON.stringify(entry)).not.toContain(secret!);
  });

  it('registers the Jira webhook through the simulator (body valid against the transcribed schema) and a delivery arrives', async () => {
    const refused = await c.post('/admin/console/connectors/jira/register-webhook', { adminEmail: 'bot@example.com', adminToken: 'api-token' });
    expect(refused.status).toBe(502);
    expect(refused.body).toContain('You do not have the permission to manage webhooks');
    const r = await c.post('/admin/console/connectors/jira/register-webhook', { adminEmail: 'admin@example.com', adminToken: 'admin-token' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('Registered');
    const [hook] = jira.adminWebhooks();
    expect(hook).toMatchObject({ url: `${h.te.config.PUBLIC_URL}/webhooks/jira/jira`, events: ['jira:issue_updated'], jql: 'project in (SUP)', excludeBody: false });
    expect(hook!.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(jira.stats().invalidBodies).toEqual([]);
    expect(r.body).not.toContain('admin-token');
    expect(r.body).not.toContain(hook!.secret!);
    const reporter = jira.createUser({ displayName: 'Rae', email: 'rae@example.com' });
    const issue = jira.createIssue({ project: 'SUP', summary: 'VPN down', reporter: reporter.accountId });
    jira.transition(issue.key, 'Done');
    await jira.webhook.flush();
    const d = await waitFor('the Jira delivery', async () => JSON.parse((await c.get('/admin/console/connectors/jira/deliveries.json')).body).deliveries[0]);
    expect(d).toMatchObject({ status: 202, outcome: 'accepted', summary: expect.stringContaining(issue.key) });
    const audit = (await h.api('GET', '/admin/audit?action=connector.register-webhook')).body.entries;
    expect(audit.map((e: { detail: string }) => e.detail)).toEqual([expect.stringMatching(/^registered in Jira with the credentials of a\*\*\*@example.com/), expect.stringMatching(/^Jira refused \(403\)/)]);
  });

  it('the simulator refuses registrations that break the documented shape', () => {
    expect(checkAdminWebhookBody({ name: 'x', url: 'https://a.example/h', events: ['jira:issue_updated'], filters: { 'issue-related-events-section': 'project = A' }, excludeBody: false, secret: 's' })).toEqual([]);
    expect(checkAdminWebhookBody({ name: 'x', url: 'https://a.example/h', event: ['jira:issue_updated'] })).toEqual(['(body) must NOT have additional properties: event']);
    expect(checkAdminWebhookBody({ name: 'x', url: 'not a url' }).length).toBeGreaterThan(0);
    expect(checkAdminWebhookBody({ url: 'https://a.example/h', excludeBody: 'no' })).toHaveLength(2);
  });
});
