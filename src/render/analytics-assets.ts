import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pageStylesheet, templatesDir } from './paths.js';

/**
 * Static files of the dashboard and the public scoreboard, served by the app (the pages' CSP allows
 * scripts and styles from 'self' only: no CDN). Read once per process; each URL the pages use
 * carries a content hash (`?v=…`), so the files can be cached for a year and still change on deploy.
 */
export interface AnalyticsAsset {
  /** Route path, e.g. /assets/dashboard.js. */
  path: string;
  contentType: string;
  body: Buffer;
  /** Path plus `?v=<hash of the content>`: what pages link to. */
  url: string;
}

export type AnalyticsAssetName = 'chart' | 'commonJs' | 'dashboardJs' | 'dashboardExtraJs' | 'scoreboardJs' | 'css';

let loaded: Readonly<Record<AnalyticsAssetName, AnalyticsAsset>> | null = null;

/**
 * The Chart.js UMD build shipped in the chart.js package. Its package "exports" map does not expose
 * dist/ files (nor package.json), so resolve the package's main CommonJS entry (dist/chart.cjs) and
 * take the UMD file beside it.
 */
export function chartJsPath(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(main), 'chart.umd.min.js');
}

function asset(path: string, contentType: string, body: Buffer): AnalyticsAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path, contentType, body, url: `${path}?v=${hash}` };
}

export function analyticsAssets(): Readonly<Record<AnalyticsAssetName, AnalyticsAsset>> {
  if (loaded) return loaded;
  const pages = join(templatesDir(), 'pages');
  // The trailing source-map comment would send open devtools to a map we do not serve.
  const chart = readFileSync(chartJsPath(), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const js = 'text/javascript; charset=utf-8';
  loaded = Object.freeze({
    chart: asset('/assets/chart.umd.min.js', js, Buffer.from(chart, 'utf8')),
    commonJs: asset('/assets/charts-common.js', js, readFileSync(join(pages, 'charts-common.js'))),
    dashboardJs: asset('/assets/dashboard.js', js, readFileSync(join(pages, 'dashboard.js'))),
    dashboardExtraJs: asset('/assets/dashboard-extra.js', js, readFileSync(join(pages, 'dashboard-extra.js'))),
    scoreboardJs: asset('/assets/scoreboard.js', js, readFileSync(join(pages, 'scoreboard.js'))),
    css: asset('/assets/dashboard.css', 'text/css; charset=utf-8', pageStylesheet('dashboard')),
  });
  return loaded;
}
