import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Headless Chromium (Debian's package, driven by playwright-core) and checks shared by the browser
 * tests: collecting console errors (CSP violations are logged there), page errors and dialogs, and
 * waiting until every chart canvas has drawn something.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface PageProblems {
  /** console.error messages (Chromium logs CSP violations there), uncaught exceptions, and alert/confirm/prompt dialogs. */
  errors: string[];
}

/**
 * Reports every CSP violation as a console error too. Chromium already logs them there; the
 * listener makes sure of it (and names the directive). Playwright's init scripts are not subject
 * to the page's CSP.
 */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`;

/** Starts collecting problems on a page; await it before page.goto. */
export async function watchPage(page: Page): Promise<PageProblems> {
  await page.addInitScript({ content: CSP_LISTENER });
  const problems: PageProblems = { errors: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.errors.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => {
    problems.errors.push(`dialog (${d.type()}): ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

export interface ChartCheck {
  chart: string;
  width: number;
  height: number;
  /** Pixels with any opacity: a drawn chart has axes, lines or bars. */
  paintedPixels: number;
}

/**
 * Waits until every `canvas[data-chart]` on the page carries data-rendered="true", then reads
 * each canvas's pixels and fails if one is blank. Returns what it measured, one entry per canvas.
 * With `expectCharts` (default true) a page without any chart canvas is a failure too.
 */
export async function checkChartsRendered(page: Page, opts: { timeout?: number; expectCharts?: boolean; minPaintedShare?: number } = {}): Promise<ChartCheck[]> {
  const timeout = opts.timeout ?? 15_000;
  const total = await page.locator('canvas[data-chart]').count();
  if (total === 0) {
    if (opts.expectCharts ?? true) throw new Error('no canvas[data-chart] on the page');
    return [];
  }
  await page.waitForFunction(
    () => {
      const all = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> } }).document.querySelectorAll('canvas[data-chart]');
      return Array.from(all).every((c) => c.getAttribute('data-rendered') === 'true');
    },
    undefined,
    { timeout },
  );
  const checks = await page.$$eval('canvas[data-chart]', (canvases) =>
    canvases.map((el) => {
      const canvas = el as unknown as {
        width: number;
        height: number;
        getAttribute(n: string): string | null;
        getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
      };
      const ctx = canvas.getContext('2d');
      let painted = 0;
      if (ctx && canvas.width > 0 && canvas.height > 0) {
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      }
      return { chart: `${canvas.getAttribute('data-chart')}${canvas.getAttribute('data-index') === null ? '' : `#${canvas.getAttribute('data-index')}`}`, width: canvas.width, height: canvas.height, paintedPixels: painted };
    }),
  );
  const minShare = opts.minPaintedShare ?? 0.005;
  const blank = checks.filter((c) => c.width === 0 || c.height === 0 || c.paintedPixels < c.width * c.height * minShare);
  if (blank.length) throw new Error(`blank chart canvas: ${JSON.stringify(blank)}`);
  return checks;
}

/** What a hostile payload would have set if it had run (window.__xss). */
export async function xssFlag(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss ?? null);
}
