import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { demoHistory } from '../src/demo/history.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { checkChartsRendered, launchChromium, watchPage, xssFlag } from './support/browser.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/**
 * The issue-15 pages in headless Chromium against the real service and eight weeks of seeded history:
 * the dashboard (new filters, drill-down, response-rate trend, recovery, what mattered, teams named
 * on two connectors) at desktop width and at 390 px (tables as cards, nothing wider than the
 * screen), the drill-down page, the survey page's "what mattered most" question used by keyboard,
 * and the digest preview. Screenshots go to test-artifacts/ (git-ignored).
 */
const HOSTILE = '<img src=x onerror="window.__xss=1">VPN';

describe('acting on feedback, in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let admin: BrowserContext;
  let base: string;
  let range: string;

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    base = h.service.url!;
    for (const [id, name] of [['snow', 'ServiceNow EU'], ['snow-us', 'ServiceNow US']]) {
      const res = await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id, name, intake: { mode: 'push' }, survey: { askWhatMattered: true }, writeBack: { debounceSeconds: 0 } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const now = new Date();
    const teams = ['Service Desk', 'Network', 'End User Computing'].map((name, i) => ({ id: `g${i}`, name, agents: [{ id: `a${i}1`, name: `Agent ${i}1` }, { id: `a${i}2`, name: `Agent ${i}2` }, { id: `a${i}3`, name: `Agent ${i}3` }] }));
    const history = demoHistory({ connectorId: 'snow', teams, now });
    history[history.length - 1]!.answer = { score: 1, comment: HOSTILE, submittedAt: new Date(now.getTime() - 3 * 86_400_000), whatMattered: 'empathy' };
    // The same team name on the other connector.
    const us: PastSurvey[] = demoHistory({ connectorId: 'snow-us', teams: [{ id: 'us-sd', name: 'Service Desk', agents: [{ id: 'u1', name: 'Una' }, { id: 'u2', name: 'Udo' }] }], now, seed: 7 }).slice(0, 80);
    await insertPastSurveys(h.te.db, [...history, ...us]);
    const from = new Date(now.getTime() - 55 * 86_400_000).toISOString().slice(0, 10);
    range = `from=${from}&to=${now.toISOString().slice(0, 10)}&interval=week`;
    browser = await launchChromium();
    admin = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN }, viewport: { width: 1360, height: 900 } });
    mkdirSync('test-artifacts', { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the dashboard: new filters, sections, response-rate trend, teams on two connectors, no console error', async () => {
    const page = await admin.newPage();
    const problems = await watchPage(page);
    expect((await page.goto(`${base}/admin/dashboard?${range}`))?.status()).toBe(200);
    const charts = await checkChartsRendered(page);
    expect(charts.map((c) => c.chart).sort()).toEqual(['funnel', 'response-rate', 'trend']);
    for (const id of ['f-agent', 'f-category', 'f-priority']) expect(await page.locator(`#${id} option`).count()).toBeGreaterThan(1);
    await expect(page.getByRole('heading', { name: 'Recovery effectiveness' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'What mattered most' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Response rate trend' }).isVisible()).resolves.toBe(true);
    const teamsTable = (await page.locator('#teams-heading').locator('xpath=../..').innerText()) ?? '';
    expect(teamsTable).toContain('Service Desk · ServiceNow EU');
    expect(teamsTable).toContain('Service Desk · ServiceNow US');
    await expect(page.getByText('Overdue now', { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText('Closed within the due time', { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText(HOSTILE).first().isVisible()).resolves.toBe(true);
    expect(await xssFlag(page)).toBeNull();
    await page.screenshot({ path: 'test-artifacts/dashboard-issue15.png', fullPage: true });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);

    // The agent filter: one agent's figures, per-person sections left out.
    await page.locator('#f-agent').selectOption({ index: 1 });
    await Promise.all([page.waitForURL(/agent=/), page.getByRole('button', { name: 'Apply' }).click()]);
    await expect(page.getByText('Filtered to one agent').isVisible()).resolves.toBe(true);
    expect(await page.locator('#comments-heading').count()).toBe(0);
    await page.close();
  });

  it('drill-down: a team\'s detractors, with links to the tickets, paged', async () => {
    const page = await admin.newPage();
    const problems = await watchPage(page);
    await page.goto(`${base}/admin/dashboard?${range}`);
    const link = page.locator('#teams-heading').locator('xpath=../..').locator('a.drill').last();
    await Promise.all([page.waitForURL(/\/admin\/dashboard\/answers\?.*detractor=1/), link.click()]);
    await expect(page.getByRole('heading', { level: 1, name: 'Detractors' }).isVisible()).resolves.toBe(true);
    const first = page.locator('tbody tr th a').first();
    expect(await first.getAttribute('href')).toMatch(new RegExp(`^${h.sim.url.replace(/[.]/g, '\\.')}/nav_to\\.do\\?uri=`));
    expect(await page.locator('.score-unhappy').count()).toBe(await page.locator('tbody tr').count());
    await page.screenshot({ path: 'test-artifacts/dashboard-answers.png', fullPage: true });
    const bad = await page.goto(`${base}/admin/dashboard/answers?${range}&status=maybe`);
    expect(bad?.status()).toBe(400);
    await expect(page.getByText(/status: Invalid option/).isVisible()).resolves.toBe(true);
    expect((await page.goto(`${base}/admin/dashboard/answers?${range}&agent=snow:a01`))?.status()).toBe(400);
    expect(problems.errors.filter((e) => !/status of 400/.test(e)), problems.errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('on a phone (390 px) every table becomes cards: nothing hidden, nothing wider than the screen', async () => {
    const phone = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN }, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    const problems = await watchPage(page);
    await page.goto(`${base}/admin/dashboard?${range}`);
    await checkChartsRendered(page);
    const layout = await page.evaluate(() => {
      const d = (globalThis as any).document;
      const cells = Array.from(d.querySelectorAll('table.cards td')) as any[];
      const hiddenCells = cells.filter((c) => c.getClientRects().length === 0 || (globalThis as any).getComputedStyle(c).display === 'none' || (globalThis as any).getComputedStyle(c).visibility === 'hidden').length;
      const unlabelled = cells.filter((c) => !c.hasAttribute('data-label') && !c.classList.contains('withheld-text') && !c.classList.contains('empty-row')).length;
      const tables = Array.from(d.querySelectorAll('table.cards')) as any[];
      return { scrollWidth: d.documentElement.scrollWidth, cells: cells.length, hiddenCells, unlabelled, tables: tables.length, cardRows: tables.filter((t) => (globalThis as any).getComputedStyle(t.querySelector('tbody tr')).display === 'block').length };
    });
    const wide = await page.evaluate(() => {
      const g = globalThis as any;
      const all = Array.from(g.document.querySelectorAll('body *')) as any[];
      return [
        `inner ${g.innerWidth} client ${g.document.documentElement.clientWidth} body ${g.document.body.scrollWidth}`,
        ...all.filter((e) => e.getBoundingClientRect().right > 391 || e.scrollWidth > e.clientWidth + 1).slice(0, 15).map((e) => `${e.tagName}.${e.className} right ${Math.round(e.getBoundingClientRect().right)} sw ${e.scrollWidth} cw ${e.clientWidth}`),
      ];
    });
    if (layout.scrollWidth > 390) console.log(`wider than the screen:\n${wide.join('\n')}`);
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.cells).toBeGreaterThan(100);
    expect(layout.hiddenCells).toBe(0);
    expect(layout.unlabelled).toBe(0);
    expect(layout.cardRows).toBe(layout.tables);
    await page.screenshot({ path: 'test-artifacts/dashboard-phone.png', fullPage: true });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await phone.close();
  });

  it('the survey page: "what mattered most" by keyboard only, stored with the answer', async () => {
    const caller = h.sim.createUser({ user_name: 'kay', name: 'Kay Board', email: 'kay@example.com', preferred_language: 'en' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Keyboard only' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    const mail = await waitFor('the survey email', () => transport.sent.find((m) => m.to === 'kay@example.com'));
    const link = /href="(http[^"]+\/s\/[^"?]+\?r=2)"/.exec(mail.html)![1]!;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPage(page);
    await page.goto(link);
    await expect(page.getByRole('group', { name: 'What mattered most to you?' }).isVisible()).resolves.toBe(true);
    // Tab from the chosen rating into the second question, then arrow keys move the choice.
    await page.locator('input[name="score"][value="2"]').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.name)).toBe('whatMattered');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('input[name="whatMattered"]:checked').getAttribute('value')).toBe('reliability');
    await page.screenshot({ path: 'test-artifacts/survey-what-mattered.png', fullPage: true });
    await Promise.all([page.waitForURL(/\/thanks/), page.getByRole('button', { name: 'Send feedback' }).click()]);
    const stored = await h.te.db.selectFrom('responses as r').innerJoin('surveys as s', 's.id', 'r.survey_id').innerJoin('people as p', 'p.id', 's.person_id').select(['r.score', 'r.what_mattered']).where('p.email', '=', 'kay@example.com').executeTakeFirstOrThrow();
    expect(stored).toEqual({ score: 2, what_mattered: 'reliability' });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('the digest preview renders as an email, under its own CSP, hostile text as text', async () => {
    const week = (await h.api('POST', '/admin/digests/plan', { connector: 'snow' })).body.week as string;
    const page = await admin.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${base}/admin/digests/preview?team=${encodeURIComponent('snow:g0')}&period=${week}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'Customer feedback for Service Desk' }).isVisible()).resolves.toBe(true);
    expect(await xssFlag(page)).toBeNull();
    await page.screenshot({ path: 'test-artifacts/digest-preview.png', fullPage: true });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await page.close();
  });
});
