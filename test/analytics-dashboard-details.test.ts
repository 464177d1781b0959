import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { checkChartsRendered, launchChromium, watchPage } from './support/browser.js';
import { freePort } from './support/free-port.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * Dashboard details on the real service (issue 13 item 6): "Latest comments" marks an answer unhappy
 * by its own connector's followUp.detractorMax, and the CSAT trend axis stays within 0–100 % even
 * when a week is at 0 % (it ran to −20 %).
 */
const DAY = 86_400_000;
let n = 0;
function past(connectorId: string, team: string, sentAt: Date, score: number, comment: string | null): PastSurvey {
  n++;
  return {
    connectorId,
    ticket: { externalId: `t${n}`, key: `INC${2000 + n}`, title: 'x', category: 'hardware', priority: '3', groupId: `g-${team}`, groupName: team, assigneeId: `a${n % 7}`, assigneeName: `Agent ${n % 7}` },
    requester: { email: `p${n}@example.com`, name: `P ${n}` },
    scale: 'csat',
    sentAt,
    answer: { score, comment, submittedAt: new Date(sentAt.getTime() + 3_600_000) },
  };
}

describe('dashboard details', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    // Unhappy at 3 or below on one connector, only at 1 on the other (the default is 2).
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id: 'strict', followUp: { detractorMax: { csat: 3 } } }))).status).toBe(201);
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id: 'lenient', followUp: { detractorMax: { csat: 1 } } }))).status).toBe(201);
    const now = Date.now();
    const weekAgo = (w: number) => new Date(now - w * 7 * DAY - DAY);
    await insertPastSurveys(h.te.db, [
      past('strict', 'Service Desk', new Date(now - 2 * DAY), 3, 'Strict three'),
      past('lenient', 'Network', new Date(now - 2 * DAY), 2, 'Lenient two'),
      past('lenient', 'Network', new Date(now - 2 * DAY), 1, 'Lenient one'),
      // Service Desk: a week of 0 % CSAT (only 1s), then weeks of 100 % (only 5s).
      ...[1, 1, 1, 1, 1].map((s) => past('strict', 'Service Desk', weekAgo(3), s, null)),
      ...[5, 5, 5, 5, 5].map((s) => past('strict', 'Service Desk', weekAgo(2), s, null)),
      ...[5, 5, 5].map((s) => past('lenient', 'Network', weekAgo(2), s, null)),
    ]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("marks latest comments unhappy by their connector's own detractorMax", async () => {
    const page = await h.api('GET', '/admin/dashboard');
    expect(page.status).toBe(200);
    const rowOf = (comment: string) => {
      const row = String(page.body).split('<tr>').find((r) => r.includes(comment));
      expect(row, comment).toBeDefined();
      return row!;
    };
    expect(rowOf('Strict three')).toContain('score-unhappy');
    expect(rowOf('Lenient one')).toContain('score-unhappy');
    expect(rowOf('Lenient two')).not.toContain('score-unhappy');
  });

  it('keeps the CSAT trend axis within 0–100 % with a week at 0 %', async () => {
    const ctx = await browser.newContext({ httpCredentials: { username: 'admin', password: h.te.config.ADMIN_TOKEN }, viewport: { width: 1200, height: 900 } });
    const page = await ctx.newPage();
    const problems = await watchPage(page);
    expect((await page.goto(`${h.service.url}/admin/dashboard?interval=week`))?.status()).toBe(200);
    await checkChartsRendered(page);
    const axis = await page.evaluate(() => {
      const g = globalThis as unknown as { Chart: { getChart(c: unknown): { scales: { y: { min: number; max: number; ticks: { value: number }[] } } } }; document: { querySelector(s: string): unknown } };
      const y = g.Chart.getChart(g.document.querySelector('canvas[data-chart="trend"]')).scales.y;
      return { min: y.min, max: y.max, ticks: y.ticks.map((t) => t.value) };
    });
    // The data spans 0 % to 100 %: the axis shows exactly that, and no tick outside it.
    expect(axis.min).toBe(0);
    expect(axis.max).toBe(100);
    expect(Math.min(...axis.ticks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...axis.ticks)).toBeLessThanOrEqual(100);
    expect(problems.errors, problems.errors.join('\n')).toEqual([]);
    await ctx.close();
  });
});
