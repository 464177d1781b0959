import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys } from '../src/analytics/history.js';
import { ANALYTICS_CSP } from '../src/http/routes/analytics-pages.js';
import { pastSurvey, spread } from './support/acting-data.js';
import { launchChromium, watchPage } from './support/browser.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * The dashboard's "acting on feedback" sections, the form that starts an initiative from a theme,
 * and the public "you said, we did" page, in headless Chromium against the real service (strict CSP,
 * no console error). Screenshots land in test-artifacts/.
 */
describe('acting on feedback in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const range = 'from=2026-09-01&to=2026-11-30&interval=week';

  beforeAll(async () => {
    h = await startHarness();
    base = h.service.url!;
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { intake: { mode: 'push' }, survey: { branding: { organisationName: 'Acme IT' } } }))).status).toBe(201);
    await insertPastSurveys(h.te.db, [
      ...spread('2026-08-10', 28, 40, (s, i) => pastSurvey('snow', 'csat', 'Network', s, i % 2 ? 5 : 2, { comment: i < 24 ? 'VPN drops every hour' : 'Waited too long for an answer' })),
      ...spread('2026-09-28', 28, 40, (s, i) => pastSurvey('snow', 'csat', 'Network', s, i < 32 ? 5 : 2, { comment: i < 6 ? 'The VPN was slow once' : 'Quick and friendly' })),
      ...spread('2026-11-02', 28, 30, (s, i) => pastSurvey('snow', 'csat', 'Network', s, i < 24 ? 5 : 2, { comment: i < 5 ? 'VPN fine now, wifi slow' : 'Quick and friendly' })),
      ...spread('2026-09-01', 90, 45, (s, i) => pastSurvey('snow', 'csat', 'Service Desk', s, i % 3 ? 4 : 1, { comment: i % 3 ? 'Password reset was quick' : 'Password reset took days', closedAfterHours: i % 3 ? undefined : i % 2 ? 3 : 30 })),
    ]);
    expect((await h.api('PUT', '/admin/targets/default', { period: 'month', csat: 75, responseRate: 80, followUpOnTime: 90 })).status).toBe(201);
    const done = await h.api('POST', '/admin/initiatives', {
      title: 'A second VPN gateway', owner: 'Dana Weiss', team: 'Network', themes: ['vpn', 'avery'], status: 'done', startDate: '2026-09-07', endDate: '2026-09-27', effectWeeks: 4,
      notes: 'Concentrator overloaded; ask Dana for the vendor ticket', publicSummary: 'We added a second VPN gateway, so a busy morning no longer drops your connection.',
    });
    expect(done.status).toBe(201);
    await h.api('POST', '/admin/feedback/items', [{ source: 'November focus group', kind: 'focus_group', date: '2026-11-10', team: 'Network', text: 'Wifi slow in the meeting rooms' }]);
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows targets, the change against the previous period and initiatives; a theme starts an initiative through the form', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN }, viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${base}/admin/dashboard?${range}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Change against the previous period' }).isVisible()).resolves.toBe(true);
    const targets = page.locator('table.targets');
    await expect(targets.isVisible()).resolves.toBe(true);
    // November (the month of the filter's last day): Network 24/30 = 80% against 75 → at risk; its status badge shows it.
    const networkRow = targets.locator('tr', { has: page.getByRole('rowheader', { name: /Network/ }) });
    await expect(networkRow.locator('.status').first().textContent()).resolves.toBe('At risk');
    await expect(page.locator('#initiatives-heading').isVisible()).resolves.toBe(true);
    await expect(page.locator('.initiatives-list .verdict-improved').first().textContent()).resolves.toBe('Improved');
    // Imported feedback is in the themes, marked per term.
    await expect(page.getByText('1 imported: focus group').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: 'test-artifacts/dashboard-acting-on-feedback.png', fullPage: true });

    // "Start an initiative" on Network's "vpn" row: the form comes prefilled.
    const card = page.locator('.theme-card', { has: page.getByRole('heading', { name: /^Network/ }) });
    await card.locator('tr', { has: page.getByRole('rowheader', { name: 'vpn', exact: true }) }).getByRole('link', { name: 'Start an initiative from “vpn”' }).click();
    await page.waitForURL(/\/admin\/initiatives\/new\?/);
    expect(await page.locator('#i-themes').inputValue()).toBe('vpn');
    expect(await page.locator('#i-title').inputValue()).toBe('Act on “vpn”');
    expect(await page.locator('#i-team option:checked').textContent()).toBe('Network (snow)');
    await page.screenshot({ path: 'test-artifacts/initiative-form.png', fullPage: true });
    // Without an owner the page comes back with the reason and the values kept.
    await page.locator('#i-owner').fill(' ');
    await page.getByRole('button', { name: 'Create initiative' }).click();
    await expect(page.locator('.form-error').textContent()).resolves.toBe('owner: must not be empty');
    expect(await page.locator('#i-themes').inputValue()).toBe('vpn');
    await page.locator('#i-owner').fill('Kim Tanaka');
    await page.locator('#i-status').selectOption('in_progress');
    await page.locator('#i-start').fill('2026-12-01');
    await page.getByRole('button', { name: 'Create initiative' }).click();
    await page.waitForURL(/\/admin\/dashboard\?.*#initiative-\d+$/);
    const id = /#initiative-(\d+)$/.exec(page.url())![1]!;
    await expect(page.locator(`#initiative-${id} h3`).textContent()).resolves.toContain('Act on “vpn”');
    const created = (await h.api('GET', `/admin/initiatives/${id}`)).body;
    expect(created).toMatchObject({ owner: 'Kim Tanaka', status: 'in_progress', startDate: '2026-12-01', themes: ['vpn'], team: { key: 'snow:g-Network' } });
    // The form's own page and its answer ran under the CSP without a single console error.
    expect(problems.errors.filter((e) => !/status of 400/.test(e)), problems.errors.join('\n')).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('refuses the form without the admin token, and a POST without the signed anti-forgery field', async () => {
    const anonymous = await browser.newContext();
    const res = await anonymous.request.get(`${base}/admin/initiatives/new?theme=vpn`);
    expect(res.status()).toBe(401);
    expect(res.headers()['www-authenticate']).toMatch(/^Basic /);
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN } });
    const before = (await h.api('GET', '/admin/initiatives')).body.initiatives.length;
    // What another site could make a signed-in browser send: the right fields, no valid _csrf.
    const forged = await ctx.request.post(`${base}/admin/initiatives/new`, { form: { title: 'Forged', owner: 'x', _csrf: `${Date.now()}.forged` } });
    expect(forged.status()).toBe(403);
    expect(forged.headers()['content-security-policy']).toBe(ANALYTICS_CSP);
    expect((await h.api('GET', '/admin/initiatives')).body.initiatives.length).toBe(before);
    await anonymous.close();
    await ctx.close();
  });

  it('publishes "you said, we did" only when the connector opts in, in the visitor’s language, with no names', async () => {
    const anonymous = await browser.newContext();
    const hidden = await anonymous.request.get(`${base}/you-said-we-did/snow`);
    const unknown = await anonymous.request.get(`${base}/you-said-we-did/nobody`);
    expect([hidden.status(), unknown.status()]).toEqual([404, 404]);
    expect(await hidden.text()).toBe(await unknown.text());
    expect((await h.api('PATCH', '/admin/connectors/snow', { analytics: { publicYouSaidWeDid: true } })).status).toBe(200);

    const ctx = await browser.newContext({ locale: 'de-DE', extraHTTPHeaders: { 'accept-language': 'de-DE,de;q=0.9' }, viewport: { width: 1000, height: 800 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    // The connector's cache needs up to 2 s to see the change in another process; here it is this one.
    const res = await page.goto(`${base}/you-said-we-did/snow`);
    expect(res?.status()).toBe(200);
    expect(res!.headers()).toMatchObject({ 'content-security-policy': ANALYTICS_CSP, 'cache-control': 'public, max-age=60', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', vary: 'Accept-Language' });
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await expect(page.getByRole('heading', { name: 'Ihr Feedback, unsere Verbesserungen' }).isVisible()).resolves.toBe(true);
    // German puts a no-break space between the number and %.
    const text = ((await page.locator('body').textContent()) ?? '').replace(/\u00a0/g, ' ');
    expect(text).toContain('A second VPN gateway');
    expect(text).toContain('We added a second VPN gateway, so a busy morning no longer drops your connection.');
    // The measured effect in plain German words: 24/40 → 6/40 comments about "vpn", 20/40 → 32/40 satisfied.
    expect(text).toContain('Kommentare zu „vpn“: 60 % vor der Änderung, 15 % danach.');
    expect(text).toContain('Zufriedene Kundinnen und Kunden: 50 % vor der Änderung, 80 % danach.');
    expect(text).toContain('Eine deutliche Verbesserung.');
    // No owner, no internal notes, no agent's name (the theme "avery" is an agent's name: left out).
    for (const secret of ['Dana', 'Weiss', 'Concentrator', 'avery', 'Avery', 'Kim Tanaka']) expect(text).not.toContain(secret);
    // Only done initiatives: the one started from the form (in progress) is not listed.
    expect(text).not.toContain('Act on');
    await page.screenshot({ path: 'test-artifacts/you-said-we-did-de.png', fullPage: true });

    const en = await anonymous.request.get(`${base}/you-said-we-did/snow?lang=en`);
    expect(await en.text()).toContain('Comments about “vpn”: 60% before the change, 15% after it.');
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await ctx.close();
    await anonymous.close();
  }, 60_000);
});
