import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../src/console/index.js';
import { CONSOLE_CSP } from '../src/console/scope.js';
import { PAGE_HEADERS } from '../src/http/pages/page-scope.js';
import { consoleLogin, formBody, unescapeHtml, type ConsoleClient } from './support/console.js';
import { waitFor } from './support/env.js';
import { seedClosedIncidents, snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/** The console without a browser: sign-in, CSRF on every action, headers, secrets never rendered, and each section. */
describe('admin console', () => {
  let h: Harness;
  let c: ConsoleClient;
  const JIRA_TOKEN = 'jira-api-token-secret-value';
  const auditCount = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(h.te.db)).rows[0]!.n);

  beforeAll(async () => {
    h = await startHarness();
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', { id: 'jira', name: 'Jira', kind: 'jira', baseUrl: 'http://127.0.0.1:9', auth: { type: 'basic', email: 'bot@example.com', apiToken: JIRA_TOKEN }, webhookSecret: 'jira-webhook-secret-0123', jira: { projects: ['SUP'] } })).status).toBe(201);
    seedClosedIncidents(h.sim, 10, 2);
    await h.api('POST', '/admin/connectors/snow/poll');
    await waitFor('10 decisions', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM survey_decisions`.execute(h.te.db)).rows[0]!.n) === 10, 60_000);
    c = await consoleLogin(h.service.app!, h.te.config.ADMIN_TOKEN, 'Dana <script>');
  }, 90_000);
  afterAll(() => h?.close());

  describe('sign-in', () => {
    it('sends a visitor without a session to the login page and back', async () => {
      const r = await h.service.app!.inject({ method: 'GET', url: '/admin/console/people?email=a%40b.c' });
      expect(r.statusCode).toBe(303);
      expect(r.headers.location).toBe('/admin/login?next=%2Fadmin%2Fconsole%2Fpeople%3Femail%3Da%2540b.c');
    });

    it('refuses a wrong token, a missing name and a forged login form', async () => {
      const page = await h.service.app!.inject({ method: 'GET', url: '/admin/login' });
      const nonce = String(page.headers['set-cookie']).split(';')[0]!;
      const token = /name="_login" value="([^"]+)"/.exec(page.body)![1]!;
      const post = (form: Record<string, string>, cookie = nonce) => h.service.app!.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, payload: formBody(form) });
      expect((await post({ _login: token, name: 'Eve', token: 'wrong' })).statusCode).toBe(401);
      expect((await post({ _login: token, name: ' ', token: h.te.config.ADMIN_TOKEN })).statusCode).toBe(400);
      expect((await post({ _login: 'forged', name: 'Eve', token: h.te.config.ADMIN_TOKEN })).statusCode).toBe(403);
      expect((await post({ _login: token, name: 'Eve', token: h.te.config.ADMIN_TOKEN }, 'fb_console_login=other')).statusCode).toBe(403);
    });

    it('sets an HttpOnly, SameSite=Strict session cookie scoped to /admin, and logout revokes it', async () => {
      const other = await consoleLogin(h.service.app!, h.te.config.ADMIN_TOKEN, 'Temp');
      const page = await h.service.app!.inject({ method: 'GET', url: '/admin/login' });
      const nonce = String(page.headers['set-cookie']).split(';')[0]!;
      const res = await h.service.app!.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce }, payload: formBody({ _login: /name="_login" value="([^"]+)"/.exec(page.body)![1]!, name: 'Cookie check', token: h.te.config.ADMIN_TOKEN }) });
      const cookie = [res.headers['set-cookie']].flat().map(String).find((s) => s.startsWith('fb_console='))!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/admin/);
      expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here; https makes it Secure
      expect((await other.get('/admin/')).status).toBe(200);
      expect((await other.post('/admin/logout', {})).status).toBe(303);
      expect((await other.get('/admin/')).status).toBe(303);
    });
  });

  describe('CSRF', () => {
    const concrete = (url: string) => url.replace(':queue', 'send').replace(/:id(?=\/(retry|discard))/, 'no-such-job').replace(':id', 'snow');

    it('refuses every console action posted without the session, without its token, or from another site — and changes nothing', async () => {
      const actions = consoleRoutes(h.service.app!).filter((r) => r.method === 'POST' && !r.public);
      expect(actions.length).toBeGreaterThanOrEqual(15);
      const before = await auditCount();
      const app = h.service.app!;
      for (const a of actions) {
        const url = concrete(a.url);
        const form = { email: 'user0@example.com', confirm: 'user0@example.com', 'rules.cooldownDays': '0', intent: 'save' };
        const attempts = [
          { why: 'no cookie (what SameSite=Strict leaves a cross-site post)', headers: {}, csrf: c.csrf, cookie: null },
          { why: 'no token', headers: {}, csrf: null, cookie: c.cookie },
          { why: 'wrong token', headers: {}, csrf: 'x'.repeat(32), cookie: c.cookie },
          { why: 'foreign Origin', headers: { origin: 'https://evil.example' }, csrf: c.csrf, cookie: c.cookie },
          { why: 'foreign Origin, same-origin claimed by nobody', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'same-site' }, csrf: c.csrf, cookie: c.cookie },
          { why: 'Sec-Fetch-Site cross-site', headers: { 'sec-fetch-site': 'cross-site' }, csrf: c.csrf, cookie: c.cookie },
        ];
        for (const t of attempts) {
          const r = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(t.cookie ? { cookie: t.cookie } : {}), ...t.headers }, payload: formBody({ ...(t.csrf ? { _csrf: t.csrf } : {}), ...form }) });
          expect(r.statusCode, `${a.url}: ${t.why}`).toBe(403);
        }
      }
      expect(await auditCount()).toBe(before);
      expect(h.sim.table('incident').length).toBe(10);
    });

    it('accepts the same request from a console page (same origin, with the token)', async () => {
      const r = await c.post('/admin/console/connectors/snow/poll', {}, { headers: { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' } });
      expect(r.status).toBe(303);
    });
  });

  it('serves every page with the survey pages’ security headers and a CSP without third-party origins or inline script', async () => {
    const login = await h.service.app!.inject({ method: 'GET', url: '/admin/login' });
    expect(login.headers['content-security-policy']).toBe(CONSOLE_CSP);
    for (const url of ['/admin/', '/admin/console/connectors/snow', '/admin/console/connectors/new?kind=jira', '/admin/console/connectors/snow/edit', '/admin/console/connectors/snow/push', '/admin/console/connectors/snow/rules', '/admin/console/templates?connector=snow', '/admin/console/people?email=user0%40example.com', '/admin/console/queues', '/admin/console/audit']) {
      const r = await c.get(url);
      expect(r.status, url).toBe(200);
      for (const k of ['referrer-policy', 'x-robots-tag', 'x-content-type-options', 'cache-control'] as const) expect(r.headers[k], `${url} ${k}`).toBe(PAGE_HEADERS[k]);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toBe(CONSOLE_CSP);
      for (const directive of PAGE_HEADERS['content-security-policy'].split('; ')) expect(csp.split('; '), `${url}: ${directive}`).toContain(directive);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(r.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(r.body).not.toMatch(/\sstyle="/);
      expect(r.body).not.toMatch(/\son[a-z]+="/);
    }
  });

  it('never renders a secret back, on any page', async () => {
    const secrets = ['integration-pass', WEBHOOK_SECRET, JIRA_TOKEN, 'jira-webhook-secret-0123', 'oauth-client-secret-xyz', h.te.config.ADMIN_TOKEN];
    expect((await c.post('/admin/console/connectors/snow/edit', { name: 'ServiceNow', enabled: 'true', baseUrl: h.sim.url, 'auth.type': 'oauth_password', 'auth.username': 'integration', 'auth.password': 'integration-pass', 'auth.clientId': 'feedback-client', 'auth.clientSecret': 'oauth-client-secret-xyz', 'servicenow.table': 'incident', 'servicenow.closedStates': '7', 'servicenow.taskTable': 'incident_task', 'servicenow.webhookHeader': 'X-Feedback-Secret', 'intake.mode': 'both', 'intake.pollIntervalSeconds': '3600', 'survey.scale': 'csat', 'survey.defaultLocale': 'en', 'survey.branding.organisationName': 'IT', 'survey.branding.primaryColor': '#0b5cad', 'writeBack.target': 'internal', 'followUp.enabled': 'true', rateLimitPerSecond: '20' })).status).toBe(303);
    const gets = consoleRoutes(h.service.app!).filter((r) => r.method === 'GET' && !r.url.includes('assets'));
    const urls = gets.flatMap((r) => (r.url.includes(':id') ? [r.url.replace(':id', 'snow'), r.url.replace(':id', 'jira')] : [r.url]));
    for (const url of [...urls, '/admin/console/people?email=user0%40example.com', '/admin/console/templates?connector=jira', '/admin/console/templates/frame?connector=snow&view=page']) {
      const r = await c.get(url);
      const text = unescapeHtml(r.body);
      for (const s of secrets) expect(text.includes(s), `${url} shows ${s.slice(0, 6)}…`).toBe(false);
    }
    const edit = await c.get('/admin/console/connectors/snow/edit');
    expect(edit.body).toMatch(/id="f-auth-clientSecret-state"><span class="badge ok">set<\/span>/);
  });

  it('escapes what people type (the admin name included)', async () => {
    const r = await c.get('/admin/');
    expect(r.body).toContain('Dana &lt;script&gt;');
    expect(r.body).not.toContain('Dana <script>');
  });

  describe('sections', () => {
    it('creates a connector through the form, with the API validation field by field', async () => {
      const bad = await c.post('/admin/console/connectors', { kind: 'jira', id: 'Bad Id', name: '', baseUrl: 'ftp://x', 'jira.variant': 'cloud', 'auth.type': 'basic', 'auth.email': 'nope', 'auth.apiToken': 't', 'jira.projects': 'sup', 'intake.mode': 'both', 'intake.pollIntervalSeconds': 'soon' });
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('id="f-intake-pollIntervalSeconds-err">must be a number');
      const bad2 = await c.post('/admin/console/connectors', { kind: 'jira', id: 'Bad Id', name: '', baseUrl: 'ftp://x', 'jira.variant': 'cloud', 'auth.type': 'basic', 'auth.email': 'nope', 'auth.apiToken': 't', 'jira.projects': 'sup', 'intake.mode': 'both' });
      for (const field of ['id', 'name', 'baseUrl', 'auth-email', 'jira-projects']) expect(bad2.body, field).toMatch(new RegExp(`id="f-${field}-err">`));
      expect(bad2.body).toContain('aria-invalid="true"');
    });

    it('shows list settings one per line, exactly as stored (a re-submitted form changes nothing)', async () => {
      const page = await c.get('/admin/console/connectors/snow/rules');
      expect(/<textarea id="f-exCloseCodes"[^>]*>([^<]*)<\/textarea>/.exec(page.body)![1]).toBe('Duplicate\nCanceled\nCancelled\nAuto-closed\nAuto closed');
    });

    it('dry-runs a rule change over stored closures, and the counts move; saving is audited', async () => {
      const form = { 'rules.oncePerTicket': 'true', 'rules.excludeRequesterIsResolver': 'true', 'rules.cooldownDays': '0', 'rules.maxSurveysPer30Days': '0', 'rules.samplingPercent': '100', 'rules.maxClosureAgeHours': '72', 'rules.exclude.closeCodes': 'Duplicate', 'survey.scale': 'csat', 'followUp.enabled': 'true', 'followUp.dueHours': '24', 'followUp.detractorMax.csat': '2', 'followUp.detractorMax.nps': '6', 'followUp.detractorMax.ces': '3', days: '7', intent: 'dry-run' };
      const r = await c.post('/admin/console/connectors/snow/rules', form);
      expect(r.status).toBe(200);
      const total = /<table id="dry-total">[\s\S]*?<\/table>/.exec(r.body)![0];
      expect(total).toMatch(/<th scope="row">surveyed<\/th><td class="num">2<\/td><td class="num">10<\/td><td class="num">\+8<\/td>/);
      expect(total).toMatch(/suppressed: cooldown<\/th><td class="num">8<\/td><td class="num">0<\/td><td class="num">-8<\/td>/);
      expect(r.body).toMatch(/<th scope="row">Service Desk<\/th><td class="num">10<\/td><td class="num">2 \(8\)<\/td><td class="num">10 \(0\)<\/td>/);
      const invalid = await c.post('/admin/console/connectors/snow/rules', { ...form, 'rules.samplingPercent': '150' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toContain('rules.samplingPercent: must be between 0 and 100');
      const saved = await c.post('/admin/console/connectors/snow/rules', { ...form, 'rules.cooldownDays': '7', intent: 'save' });
      expect(saved.status).toBe(303);
      expect((await h.api('GET', '/admin/connectors/snow')).body.connector.rules.cooldownDays).toBe(7);
      const [entry] = (await h.api('GET', '/admin/audit?action=connector.update')).body.entries;
      expect(entry).toMatchObject({ actor: 'Dana <script>', channel: 'console', detail: expect.stringContaining('rules.cooldownDays') });
    });

    it('previews the templates for a real recent ticket in each language, and reports missing locale keys', async () => {
      const ticket = h.sim.table('incident').at(-1)!;
      const en = await c.get('/admin/console/templates?connector=snow&locale=en');
      expect(en.body).toContain(ticket.number);
      expect(en.body).toContain('templates/email/survey.html.hbs');
      expect(en.body).toContain('templates/itsm/follow-up-task.text.hbs');
      expect(en.body).toMatch(/<th scope="row">de<\/th><td><code>templates\/locales\/de.json<\/code><\/td>\s*<td><span class="badge ok">complete/);
      const de = await c.get('/admin/console/templates?connector=snow&locale=de');
      expect(/<span id="preview-subject">([^<]*)</.exec(de.body)![1]).not.toBe(/<span id="preview-subject">([^<]*)</.exec(en.body)![1]);
      const frame = await c.get('/admin/console/templates/frame?connector=snow&locale=de&view=email');
      expect(frame.headers['content-security-policy']).toMatch(/sandbox$/);
      expect(frame.body).toContain(ticket.number);
    });

    it('finds a person, lifts a suppression and erases their data with an audit entry', async () => {
      await h.api('POST', '/admin/suppressions', { email: 'user1@example.com', note: 'complained by phone' });
      const page = await c.get('/admin/console/people?email=User1%40Example.com');
      expect(page.body).toContain('complained by phone');
      expect(page.body).toMatch(/cooldown/);
      const lifted = await c.post('/admin/console/people/lift', { email: 'user1@example.com' });
      expect(lifted.status).toBe(303);
      expect((await c.get(lifted.headers.location as string)).body).toContain('Suppression lifted');
      const [entry] = (await h.api('GET', '/admin/audit?action=suppression.lift')).body.entries;
      expect(entry).toMatchObject({ actor: 'Dana <script>', channel: 'console', targetId: 'user1@example.com' });
      const exported = await c.post('/admin/console/people/export', { email: 'user1@example.com' });
      expect(JSON.parse(exported.body).decisions.length).toBe(5);
      expect((await c.post('/admin/console/people/erase', { email: 'user1@example.com', confirm: 'wrong' })).status).toBe(400);
      const erased = await c.post('/admin/console/people/erase', { email: 'user1@example.com', confirm: 'user1@example.com' });
      expect(erased.body).toContain('Erased');
      const audit = (await h.api('GET', '/admin/audit?target=u***')).body.entries;
      expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['person.erase', 'person.export', 'suppression.lift', 'suppression.add']));
      expect(JSON.stringify((await h.api('GET', '/admin/audit')).body)).not.toContain('user1@example.com');
      expect((await c.get('/admin/console/people?email=user1%40example.com')).body).toContain('No closure of this address was ever received');
    });

    it('shows health at a glance: refused webhooks with their reason, ITSM calls, surveys sent today; and a banner for a dead OAuth grant', async () => {
      await h.service.app!.inject({ method: 'POST', url: '/webhooks/servicenow/snow', headers: { 'content-type': 'application/json', 'x-feedback-secret': 'nope' }, payload: '{}' });
      const home = await waitFor('the refusal counted', async () => {
        const b = (await c.get('/admin/')).body;
        return b.includes('1 × missing or wrong X-Feedback-Secret header') ? b : null;
      });
      const row = /<a href="\/admin\/console\/connectors\/snow">[\s\S]*?<\/tr>/.exec(home)![0];
      expect(row).toMatch(/<span class="badge bad">1 rejected<\/span>/);
      expect(row).toMatch(/\d+ calls/);
      expect(row).toMatch(/<td class="num">2<\/td>/); // the two surveys the seeded closures sent today
      expect(row).toMatch(/webhook, .* UTC<\/span><br>HTTP 401: missing or wrong X-Feedback-Secret header/);
      await sql`INSERT INTO oauth_tokens (connector_id, refresh_token_ciphertext, seed_hash, grant_error) VALUES ('jira', 'x', 'x', 'invalid_grant: refresh token revoked')`.execute(h.te.db);
      const banner = (await c.get('/admin/console/audit')).body;
      expect(banner).toContain('The OAuth grant of connector jira is dead.');
      expect(banner).toContain('href="/admin/console/connectors/jira/edit#f-auth-refreshToken"');
      await sql`DELETE FROM oauth_tokens`.execute(h.te.db);
    });

    it('lists queues and failed jobs, and shows the audit log filtered and exported', async () => {
      const q = await c.get('/admin/console/queues');
      expect(q.body).toContain('<th scope="row">send</th>');
      expect(q.body).toContain('href="/admin/queues"');
      const paused = await c.post('/admin/console/queues/send/pause', {});
      expect(paused.status).toBe(303);
      expect((await c.get('/admin/')).body).toContain('Sending is paused.');
      await c.post('/admin/console/queues/send/resume', {});
      const audit = await c.get('/admin/console/audit?actor=Dana');
      expect(audit.body).toContain('queue.pause');
      const csv = await c.get('/admin/console/audit.csv?action=queue.');
      expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(3);
      expect(JSON.parse((await c.get('/admin/console/audit.json?action=queue.pause')).body).entries).toHaveLength(1);
    });
  });
});
