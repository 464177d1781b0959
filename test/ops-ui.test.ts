import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/service.js';
import { loadConfig } from '../src/config.js';
import { watchPage } from './support/browser.js';
import { waitFor } from './support/env.js';
import { freePort } from './support/free-port.js';
import { seedClosedIncidents, snowConnector, startHarness, type Harness } from './support/harness.js';

/** Minimal Prometheus text-format parser: metric{labels} value. */
function parseProm(text: string) {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

describe('operations: metrics and the queue UI', () => {
  let h: Harness;
  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    seedClosedIncidents(h.sim, 20, 5);
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
    await h.api('POST', '/admin/connectors/snow/poll');
    await waitFor('20 decisions', async () => Number((await h.te.db.selectFrom('survey_decisions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst())?.n) === 20);
    // The poll decides its closures itself and enqueues the five surveys' sends.
    await waitFor('5 surveys sent', async () => Number((await h.te.db.selectFrom('surveys').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'sent').executeTakeFirst())?.n) === 5);
  });
  afterAll(() => h?.close());

  it('/metrics parses as Prometheus text and carries queue, job, ITSM, decision and survey figures', async () => {
    // Never public on the public listener: the token is required.
    expect((await h.service.app!.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await h.service.app!.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    // A job is timed when BullMQ reports it completed, a moment after its surveys were marked sent (the
    // poll's five surveys go out as one send job).
    const res = await waitFor('the send job timed', async () => {
      const r = await h.service.app!.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${h.te.config.METRICS_TOKEN}` } });
      return /feedback_job_duration_seconds_count\{[^}]*queue="send"[^}]*\} [1-9]/.test(r.body) ? r : null;
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const s = parseProm(res.body);
    const one = (name: string, labels: Record<string, string>) => s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
    expect(one('feedback_queue_jobs', { queue: 'decide', state: 'failed' })).toBe(0);
    expect(one('feedback_queue_oldest_waiting_seconds', { queue: 'decide' })).toBeGreaterThanOrEqual(0);
    expect(one('feedback_decisions', { outcome: 'survey', reason: 'eligible' })).toBe(5);
    expect(one('feedback_decisions', { outcome: 'suppressed', reason: 'cooldown' })).toBe(15);
    expect(one('feedback_itsm_calls_total', { connector: 'snow', operation: 'poll', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(one('feedback_job_duration_seconds_count', { queue: 'send', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(s.some((x) => x.name === 'feedback_process_resident_memory_bytes')).toBe(true);
  });

  it('METRICS_PORT serves /metrics on a listener of its own (any role) and not on the public one', async () => {
    const metricsPort = await freePort();
    const { METRICS_TOKEN: _, ...env } = h.te.env;
    const second = await startService(loadConfig({ ...env, ROLES: 'api', PORT: '0', METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' }), createLogger('silent'));
    try {
      expect(second.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
      const own = await fetch(`${second.metricsUrl}/metrics`);
      expect(own.status).toBe(200);
      expect(await own.text()).toContain('feedback_queue_jobs');
      expect((await fetch(`${second.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${second.metricsUrl}/admin/connectors`)).status).toBe(404);
    } finally {
      await second.stop();
    }
  });

  it('Bull Board loads in headless Chromium with admin credentials and answers 401 without', async () => {
    expect((await h.service.app!.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    expect((await h.service.app!.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: 'Basic ' + Buffer.from('ops:wrong').toString('base64') } })).statusCode).toBe(401);
    if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing (apt-get install -y chromium)');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      const anonymous = await browser.newContext();
      expect((await anonymous.request.get(`${h.service.url}/admin/queues`)).status()).toBe(401);
      const ctx = await browser.newContext({ httpCredentials: { username: 'ops', password: h.te.config.ADMIN_TOKEN } });
      const page = await ctx.newPage();
      const problems = await watchPage(page);
      // Every request the page makes, wherever it goes (fonts, scripts, XHR).
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const res = await page.goto(`${h.service.url}/admin/queues`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['x-frame-options']).toBe('DENY');
      expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.getByText('decide', { exact: false }).first().waitFor({ timeout: 15_000 });
      await page.waitForLoadState('networkidle');
      expect(requested.length).toBeGreaterThan(3);
      expect(requested.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
      expect(problems.errors).toEqual([]);
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/bull-board.png' });
    } finally {
      await browser.close();
    }
  });
});
