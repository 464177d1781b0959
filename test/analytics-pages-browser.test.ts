import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardView, ScoreboardView } from '../src/analytics/views.js';
import { createHttpApp } from '../src/http/app.js';
import { ANALYTICS_CSP, registerAnalyticsPages } from '../src/http/routes/analytics-pages.js';
import { createLogger } from '../src/logger.js';
import { dashboardFixture, HOSTILE_COMMENT, HOSTILE_COMMENT_2, scoreboardFixture } from './support/analytics-fixtures.js';
import { checkChartsRendered, launchChromium, watchPage, xssFlag } from './support/browser.js';

/**
 * The dashboard and the public scoreboard in headless Chromium, served by a bare fastify app with
 * fixture loaders (3 teams, 8 weekly periods, CSAT and NPS): charts draw under the strict CSP with
 * no console error, hostile text stays text, and the dashboard needs the admin token.
 */

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

describe('analytics pages in a real browser', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const dashboardQueries: Record<string, string | undefined>[] = [];

  beforeAll(async () => {
    app = createHttpApp(createLogger('silent'), { bodyLimit: 1024 * 1024 });
    registerAnalyticsPages(app, {
      adminToken: ADMIN_TOKEN,
      loadDashboard: async (query): Promise<DashboardView> => {
        dashboardQueries.push(query);
        if (query.from === 'yesterday') throw Object.assign(new Error('from: "yesterday" is not a date (YYYY-MM-DD) <b>'), { statusCode: 400 });
        if (query.from === 'boom') throw new Error('database is down: secret detail');
        return dashboardFixture(query.empty === '1' ? { empty: true } : {});
      },
      loadScoreboard: async (connectorId): Promise<ScoreboardView | null> => (connectorId === 'snow' ? scoreboardFixture() : null),
    });
    // A page that breaks the CSP on purpose: proves that violations reach the collected errors.
    app.get('/test/csp-probe', (_req, reply) =>
      reply
        .header('content-security-policy', ANALYTICS_CSP)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>probe</title><p>probe</p><script>window.__inline = 1</script>'),
    );
    // A chart canvas that claims to be drawn but is blank: checkChartsRendered must refuse it.
    app.get('/test/blank-chart', (_req, reply) =>
      reply.type('text/html; charset=utf-8').send('<!doctype html><title>blank</title><canvas data-chart="x" data-rendered="true" width="200" height="100"></canvas>'),
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws the dashboard under the CSP, with hostile comments shown as text', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN_TOKEN }, viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${base}/admin/dashboard?from=2025-01-06&to=2025-03-02&interval=week&team=`);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toBe(ANALYTICS_CSP);
    expect(headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' });
    expect(dashboardQueries.at(-1)).toMatchObject({ from: '2025-01-06', to: '2025-03-02', interval: 'week', team: '' });

    const charts = await checkChartsRendered(page);
    expect(charts.map((c) => c.chart).sort()).toEqual(['funnel', 'trend']);

    // Hostile customer text is visible as text, and nothing it carries ran.
    await expect(page.getByText(HOSTILE_COMMENT, { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(HOSTILE_COMMENT_2.slice(0, 40)).isVisible()).resolves.toBe(true);
    expect(await page.locator('img').count()).toBe(0);
    expect(await xssFlag(page)).toBeNull();

    // Switching the trend to NPS redraws it.
    await page.locator('#trend-scale').selectOption('nps');
    await checkChartsRendered(page);
    expect(await page.locator('canvas[data-chart="trend"]').getAttribute('data-rendered')).toBe('true');

    // Hidden agents, tables with headers for screen readers.
    await expect(page.getByText('Fewer than 5 answers').first().isVisible()).resolves.toBe(true);
    expect(await page.locator('table th[scope="col"]').count()).toBeGreaterThan(20);

    await page.locator('#trend-scale').selectOption('csat');
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await ctx.close();
  });

  it('shows an empty period as "No answers in this period", and a bad filter as a 400 page', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN_TOKEN } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    expect((await page.goto(`${base}/admin/dashboard?empty=1`))?.status()).toBe(200);
    await expect(page.getByText('No answers in this period').first().isVisible()).resolves.toBe(true);
    expect(await checkChartsRendered(page, { expectCharts: false })).toEqual([]);
    await page.screenshot({ path: 'test-artifacts/dashboard-empty.png', fullPage: true });

    const bad = await page.goto(`${base}/admin/dashboard?from=yesterday`);
    expect(bad?.status()).toBe(400);
    expect(bad?.headers()['content-security-policy']).toBe(ANALYTICS_CSP);
    await expect(page.getByText('from: "yesterday" is not a date (YYYY-MM-DD) <b>').isVisible()).resolves.toBe(true);

    const failed = await page.goto(`${base}/admin/dashboard?from=boom`);
    expect(failed?.status()).toBe(500);
    expect(await page.content()).not.toContain('secret detail');
    // Chromium logs the failed loads of the 400 and 500 documents; nothing else may be logged.
    expect(problems.errors.filter((e) => !/status of (400|500)/.test(e)), problems.errors.join('\n')).toEqual([]);
    await ctx.close();
  });

  it('refuses the dashboard without the admin token (401 with a Basic challenge)', async () => {
    const anonymous = await browser.newContext();
    const res = await anonymous.request.get(`${base}/admin/dashboard`);
    expect(res.status()).toBe(401);
    expect(res.headers()['www-authenticate']).toMatch(/^Basic realm="feedback admin"/);
    expect(res.headers()['content-security-policy']).toBe(ANALYTICS_CSP);
    const wrong = await browser.newContext({ httpCredentials: { username: 'admin', password: 'wrong' } });
    expect((await wrong.request.get(`${base}/admin/dashboard`)).status()).toBe(401);
    const bearer = await anonymous.request.get(`${base}/admin/dashboard`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bearer.status()).toBe(200);
    await anonymous.close();
    await wrong.close();
  });

  it('draws the public scoreboard without credentials; unknown or private connectors get 404', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${base}/scoreboard/snow`);
    expect(res?.status()).toBe(200);
    expect(res!.headers()).toMatchObject({ 'content-security-policy': ANALYTICS_CSP, 'cache-control': 'public, max-age=60', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    const charts = await checkChartsRendered(page);
    expect(charts).toHaveLength(3);
    await expect(page.getByRole('heading', { name: 'How satisfied are our customers?' }).isVisible()).resolves.toBe(true);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('Acme IT');
    expect(text).not.toContain(HOSTILE_COMMENT);
    await page.screenshot({ path: 'test-artifacts/scoreboard.png', fullPage: true });
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);

    const missing = await page.goto(`${base}/scoreboard/jira`);
    expect(missing?.status()).toBe(404);
    expect(missing?.headers()['cache-control']).toBe('no-store');
    await expect(page.getByText('There is no public scoreboard at this address.').isVisible()).resolves.toBe(true);
    await ctx.close();
  });

  it('notices a CSP violation and a blank chart (so the clean runs above mean something)', async () => {
    const page = await browser.newPage();
    const problems = await watchPage(page);
    await page.goto(`${base}/test/csp-probe`);
    await expect.poll(() => problems.errors.join('\n')).toMatch(/Content Security Policy|CSP violation/);
    expect(problems.errors.some((e) => e.includes("CSP violation: script-src"))).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { __inline?: number }).__inline ?? null)).toBeNull();
    await page.goto(`${base}/test/blank-chart`);
    await expect(checkChartsRendered(page)).rejects.toThrow(/blank chart canvas/);
    await page.close();
  });

  it('serves Chart.js and the page assets locally with a long cache', async () => {
    for (const path of ['/assets/chart.umd.min.js', '/assets/dashboard.js', '/assets/scoreboard.js', '/assets/dashboard.css']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    expect(await (await fetch(`${base}/assets/chart.umd.min.js`)).text()).toContain('Chart.js v4.6.1');
  });
});
