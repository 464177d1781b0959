import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { launchChromium } from './support/browser.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, type Harness } from './support/harness.js';

/**
 * The acceptance run: an ITSM admin sets the product up in headless Chromium at a phone's width
 * (390 px), as the issue describes — sign in, connect ServiceNow (the simulator), test it, copy the
 * Business Rule values into "ServiceNow", send a test closure, dry-run a rule change, preview a
 * template, lift a suppression, read the audit entry; then connect Jira and register its webhook.
 * Every page is checked with axe-core (WCAG 2.1 A/AA: labels, contrast, …), for CSP violations and for
 * horizontal overflow. Screenshots go to test-artifacts/.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`;

describe('admin console in a browser', () => {
  let h: Harness;
  let jira: JiraSim;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const ADMIN = 'Dana Admin';

  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud', users: [{ email: 'bot@example.com', apiToken: 'api-token' }, { email: 'site-admin@example.com', apiToken: 'site-admin-token' }], adminEmails: ['site-admin@example.com'] });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    h.sim.createUser({ user_name: 'integration', name: 'Feedback Integration', email: 'svc@example.com', time_zone: 'UTC' });
    h.sim.grantRole('integration', 'itil');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.te.config.PUBLIC_URL });
    page = await context.newPage();
    await page.addInitScript({ content: CSP_LISTENER });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => void d.accept()); // the console asks before destructive actions
    mkdirSync('test-artifacts', { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await jira?.close();
  });

  const url = (p: string) => `${h.te.config.PUBLIC_URL}${p}`;
  /** axe-core (evaluated through the DevTools protocol, which the page's CSP does not govern), no overflow at 390 px, no CSP violation. */
  async function checkPage(name: string) {
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const r = await (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown; failureSummary?: string }> }> }> } }).axe.run(
        { exclude: [['iframe']] },
        { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
      );
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
    });
    expect(violations, `${name}: ${violations.join('\n')}`).toEqual([]);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number });
      return d.document.documentElement.scrollWidth - d.innerWidth;
    });
    expect(overflow, `${name} is wider than the phone`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-artifacts/console-${name}.png`, fullPage: true });
    expect(problems, problems.join('\n')).toEqual([]);
  }

  it('sets up ServiceNow end to end', async () => {
    // Sign in (the console sends you to the login form and back).
    await page.goto(url('/admin/'));
    expect(page.url()).toContain('/admin/login');
    await checkPage('login');
    await page.getByLabel('Your name').fill(ADMIN);
    await page.getByLabel('Admin token').fill(h.te.config.ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url('/admin/'));
    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Skip to content');
    await checkPage('home-empty');

    // Connect ServiceNow.
    await page.getByRole('link', { name: 'Connect ServiceNow' }).click();
    await page.getByLabel('Id (required)').fill('snow');
    await page.getByLabel('Name (required)').fill('ServiceNow (simulated)');
    await page.getByLabel('Instance URL (required)').fill(h.sim.url);
    await page.getByLabel('Integration user name').fill('integration');
    await page.getByLabel('Password', { exact: true }).fill('integration-pass');
    expect(await page.getByLabel('OAuth client secret').isVisible()).toBe(false); // basic auth: OAuth fields hidden
    await page.getByLabel('Poll every (seconds)').fill('3600');
    await checkPage('connector-form');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.waitForURL(/\/admin\/console\/connectors\/snow\?notice=created/);

    // Test it.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection test: passed').waitFor();
    const steps = await page.locator('#check-h + ol').innerText();
    expect(steps).toMatch(/Authentication: ok signed in as integration/);
    expect(steps).toMatch(/Write work notes, create tasks: ok role itil/);
    await checkPage('connector-tested');

    // Push set-up: a new secret (shown once), the Business Rule values copied into "ServiceNow".
    await page.getByRole('link', { name: 'Set up push' }).click();
    await page.getByRole('button', { name: /Generate a secret/ }).click();
    const secret = await page.locator('#new-secret').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await page.locator('button[data-copy="v-url"]').click();
    await page.locator('#v-url-copied').getByText('Copied.').waitFor();
    const webhookUrl = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(webhookUrl).toBe(url('/webhooks/servicenow/snow'));
    await page.getByRole('button', { name: 'Copy the script' }).click();
    const script = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(script).toContain(`r.setEndpoint('${webhookUrl}');`);
    const header = await page.locator('#v-header').innerText();
    await checkPage('push-servicenow');
    // The admin pastes the values into ServiceNow: the simulator's Business Rule now pushes closures there.
    h.sim.webhook.target = { url: webhookUrl, headers: { [header]: secret } };
    const caller = h.sim.createUser({ user_name: 'pat', name: 'Pat Example', email: 'pat@example.com' });
    const agent = h.sim.createUser({ user_name: 'agent', name: 'Agent', email: 'agent@it.example.com' });
    const group = h.sim.createGroup({ name: 'Service Desk' });
    const incidents = Array.from({ length: 4 }, (_, i) => h.sim.createIncident({ caller_id: caller.sys_id!, short_description: `Printer ${i} jammed`, assignment_group: group.sys_id!, assigned_to: agent.sys_id! }));
    h.sim.closeIncident(incidents[0]!.sys_id!, { resolved_by: agent.sys_id! });
    await page.locator('table[data-live] tbody').getByText(incidents[0]!.number!).waitFor({ timeout: 20_000 }); // the live list shows it arrive
    // The test closure, sent the way the Business Rule sends it.
    await page.getByRole('button', { name: 'Send a test closure' }).click();
    await page.getByText('Test closure: received').waitFor({ timeout: 30_000 });
    expect(await page.locator('.result').innerText()).toMatch(/re-read through the Table API/);
    await checkPage('push-test-closure');

    // Three more closures of the same person: the 14-day cooldown suppresses them.
    for (const inc of incidents.slice(1)) h.sim.closeIncident(inc.sys_id!, { resolved_by: agent.sys_id! });
    await h.sim.webhook.flush();
    await waitFor('4 decisions', async () => (await h.te.db.selectFrom('survey_decisions').select('id').execute()).length === 4, 30_000);

    // Dry-run a rule change: without a cooldown and cap, all four would have been surveyed.
    await page.goto(url('/admin/console/connectors/snow/rules'));
    await page.getByLabel('Cooldown (days)').fill('0');
    await page.getByLabel('At most surveys per person per 30 days').fill('0');
    await page.getByLabel('last 7 days').check();
    await page.getByRole('button', { name: 'Dry run' }).click();
    const total = await page.locator('#dry-total').innerText();
    expect(total).toMatch(/surveyed\s+1\s+4\s+\+3/);
    expect(total).toMatch(/suppressed: cooldown\s+3\s+0\s+-3/);
    await checkPage('rules-dry-run');

    // Preview a template with the real ticket, in German.
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('button', { name: 'Show previews' }).click();
    expect(await page.locator('#preview-note').innerText()).toMatch(/CSAT/);
    const shown = (await page.locator('#f-ticket option:checked').innerText()).split(':')[0]!;
    expect(incidents.map((i) => i.number)).toContain(shown); // a real ticket, not sample data
    const frame = page.frameLocator('iframe[title="Survey email (HTML) preview"]');
    await frame.locator('a').first().waitFor();
    expect(await frame.locator('body').innerText()).toContain(shown);
    expect(await page.locator('#preview-subject').innerText()).toContain(shown);
    await checkPage('templates');

    // Lift a suppression.
    await h.api('POST', '/admin/suppressions', { email: 'pat@example.com', note: 'asked by phone' });
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByLabel('Email address').fill('PAT@example.com');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('asked by phone').first().waitFor();
    await checkPage('people');
    await page.getByRole('button', { name: 'Lift the suppression' }).click();
    await page.getByText('Suppression lifted').waitFor();

    // Read the audit entry.
    await page.getByRole('link', { name: 'Audit log' }).click();
    const lift = page.locator('#audit-entries tr', { hasText: 'suppression.lift' });
    expect(await lift.innerText()).toMatch(new RegExp(`${ADMIN} \\(console\\)[\\s\\S]*suppression.lift[\\s\\S]*pat@example.com`));
    await checkPage('audit');

    // The overview at a desktop width, too.
    await page.goto(url('/admin/'));
    await checkPage('home');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'test-artifacts/console-home-desktop.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
  }, 180_000);

  it('connects Jira and registers its webhook through the simulator', async () => {
    await page.goto(url('/admin/console/connectors/new?kind=jira'));
    await page.getByLabel('Id (required)').fill('jira');
    await page.getByLabel('Name (required)').fill('Jira (simulated)');
    await page.getByLabel('Site URL (required)').fill(jira.url);
    await page.getByLabel('Integration account email').fill('bot@example.com');
    await page.getByLabel('API token').fill('api-token');
    await page.getByLabel('Projects (required)').fill('SUP');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.waitForURL(/\/admin\/console\/connectors\/jira\?notice=created/);
    await page.getByRole('link', { name: 'Set up push' }).click();
    await page.getByLabel("Jira administrator's email").fill('site-admin@example.com');
    await page.getByLabel('Their API token').fill('site-admin-token');
    await page.getByRole('button', { name: 'Register the webhook' }).click();
    await page.getByRole('heading', { name: 'Registered' }).waitFor();
    expect(jira.stats().invalidBodies).toEqual([]); // the body passed the transcribed schema
    expect(jira.adminWebhooks()).toHaveLength(1);
    expect(await page.content()).not.toContain('site-admin-token');
    await checkPage('push-jira');
    // Jira sends an issue update to the registered webhook; the delivery shows up live.
    const reporter = jira.createUser({ displayName: 'Rae', email: 'rae@example.com' });
    const issue = jira.createIssue({ project: 'SUP', summary: 'VPN drops', reporter: reporter.accountId });
    jira.transition(issue.key, 'Done');
    await page.locator('table[data-live] tbody').getByText(issue.key).waitFor({ timeout: 20_000 });
    expect(await page.locator('table[data-live] tbody tr').first().innerText()).toMatch(/202\s+accepted/);
    await checkPage('push-jira-delivery');
  }, 120_000);
});
