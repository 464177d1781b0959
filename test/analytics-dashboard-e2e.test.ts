import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { demoHistory } from '../src/demo/history.js';
import { checkChartsRendered, launchChromium, watchPage, xssFlag } from './support/browser.js';
import { freePort } from './support/free-port.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * The real service, with weeks of seeded history (the demo's own), in headless Chromium: the dashboard
 * draws every chart from the stats queries, a hostile comment stays text, and the public scoreboard
 * shows team scores only — no comment, no person.
 */
const HOSTILE = '<img src=x onerror="window.__xss=1">Never fixed</script><script>window.__xss=2</script>';

describe('analytics end to end: dashboard and public scoreboard on seeded history', () => {
  let h: Harness;
  let browser: Browser;
  let history: PastSurvey[];
  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { analytics: { publicScoreboard: true }, survey: { branding: { organisationName: 'Acme IT' } } }))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id: 'private' }))).status).toBe(201);
    const agents = (team: string) => ['Priya Nair', 'Tom Fischer', 'Sam Lee'].map((name, i) => ({ id: `${team}-a${i}`, name: `${name} ${team}` }));
    history = demoHistory({ connectorId: 'snow', now: new Date(), teams: ['Service Desk', 'Network', 'End User Computing'].map((name, i) => ({ id: `g${i}`, name, agents: agents(`T${i}`) })) });
    const last = history.find((s) => s.answer && s.answer.score <= 2)!;
    // A hostile customer comment, as fresh as possible so it is among the latest comments.
    history.push({ ...last, ticket: { ...last.ticket, externalId: 'hostile', key: 'INC0666666' }, answer: { ...last.answer!, comment: HOSTILE, submittedAt: new Date(Date.now() - 86_400_000) }, followUp: null });
    await insertPastSurveys(h.te.db, history);
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the dashboard draws its charts from real data, with no console errors, and keeps hostile text as text', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN }, viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${h.service.url}/admin/dashboard`);
    expect(res?.status()).toBe(200);
    const charts = await checkChartsRendered(page);
    expect(charts.map((c) => c.chart)).toEqual(expect.arrayContaining(['trend', 'funnel']));
    await expect.poll(() => page.getByText('Never fixed', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByText(HOSTILE, { exact: true }).count()).toBe(1);
    expect(await xssFlag(page)).toBeNull();
    // Seeded teams and their figures made it onto the page.
    for (const team of ['Service Desk', 'Network', 'End User Computing']) expect(await page.getByRole('cell', { name: team, exact: true }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-artifacts/dashboard-e2e.png', fullPage: true });
    expect(problems.errors).toEqual([]);

    // The CSV links work with the same browser credentials.
    const csv = await ctx.request.get(`${h.service.url}/admin/export/answers.csv`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n').length).toBeGreaterThan(100);
    await ctx.close();
  });

  it('the dashboard needs the admin token', async () => {
    const ctx = await browser.newContext();
    expect((await ctx.request.get(`${h.service.url}/admin/dashboard`)).status()).toBe(401);
    expect((await ctx.request.get(`${h.service.url}/admin/stats`)).status()).toBe(401);
    await ctx.close();
  });

  it('the public scoreboard shows team scores and trends, and no comment, name or email', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    const res = await page.goto(`${h.service.url}/scoreboard/snow`);
    expect(res?.status()).toBe(200);
    await checkChartsRendered(page);
    const html = await page.content();
    for (const team of ['Service Desk', 'Network', 'End User Computing']) expect(html).toContain(team);
    expect(html).toContain('Acme IT');
    const comments = new Set(history.map((s) => s.answer?.comment).filter((c): c is string => !!c));
    const people = new Set(history.flatMap((s) => [s.ticket.assigneeName!, s.requester.name, s.requester.email]));
    for (const c of comments) expect(html, `comment "${c}" on the scoreboard`).not.toContain(c);
    for (const p of people) expect(html, `"${p}" on the scoreboard`).not.toContain(p);
    expect(html).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    await page.screenshot({ path: 'test-artifacts/scoreboard-e2e.png', fullPage: true });
    expect(problems.errors).toEqual([]);
    // Connectors that did not opt in have no scoreboard, and look the same as unknown ones.
    expect((await ctx.request.get(`${h.service.url}/scoreboard/private`)).status()).toBe(404);
    expect((await ctx.request.get(`${h.service.url}/scoreboard/nope`)).status()).toBe(404);
    await ctx.close();
  });
});
