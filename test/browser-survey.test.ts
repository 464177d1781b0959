import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { hrefs, sesEnv, startSes } from './support/ses.js';

const CHROMIUM = '/usr/bin/chromium';

describe('answering a survey in a real browser', () => {
  let h: Harness;
  let ses: Awaited<ReturnType<typeof startSes>>;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
    ses = await startSes();
    const port = await freePort();
    h = await startHarness({ ...sesEnv(ses.url), PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, BOT_MIN_SECONDS_AFTER_SEND: '0' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { survey: { defaultLocale: 'en', branding: { organisationName: 'Acme IT' } } }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await ses?.close();
  });

  it('opens a rating link from the emulator\'s email, sees it preselected, comments, submits, sees thanks', async () => {
    const caller = h.sim.createUser({ user_name: 'pat', name: 'Pat Browser', email: 'pat@example.com', preferred_language: 'en' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Cannot print' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const mail = await waitFor('the email', async () => (await ses.mails()).find((m) => m.destination.to.includes('pat@example.com')));
    const link = hrefs(mail.body.html!).find((u) => u.endsWith('?r=4'))!;

    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(link);
    expect(await page.locator('input[name="score"][value="4"]').isChecked()).toBe(true);
    expect(await page.locator('input[name="score"]:checked').count()).toBe(1);
    await page.locator('textarea[name="comment"]').fill('The printer works again, thank you.');
    await Promise.all([page.waitForURL(/\/thanks/), page.locator('button[type="submit"]').click()]);
    const body = await page.locator('body').innerText();
    expect(body).toMatch(/thank/i);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/survey-thanks.png', fullPage: true });
    expect(consoleErrors, consoleErrors.join("\n")).toEqual([]); // no CSP violations or script errors

    const answer = await h.te.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
    expect(answer).toMatchObject({ score: 4, comment: 'The printer works again, thank you.', is_active: true, flagged: false });
  });
});
