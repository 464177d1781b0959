import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { templatesDir } from '../render/paths.js';
import { checkedUrl, scriptJson } from '../render/templates.js';

/**
 * The console's pages: handlebars files in templates/console/ (partials in templates/console/partials/),
 * compiled once per process with their own Handlebars instance. Every {{ }} is HTML-escaped; URLs go
 * through {{href}} (http(s) or root-relative only). Pages carry no inline script or style: the CSP
 * allows scripts and styles from 'self' only (console.js, console.css).
 */

const dir = () => join(templatesDir(), 'console');
let compiled: Map<string, Handlebars.TemplateDelegate> | null = null;

const ATTR: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function instance(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('href', (url: unknown) => new hb.SafeString(checkedUrl(url).replace(/[&<>"']/g, (c) => ATTR[c] ?? c)));
  hb.registerHelper('json', (v: unknown) => new hb.SafeString(scriptJson(v)));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hb.registerHelper('when', (d: unknown) => (d instanceof Date || typeof d === 'string' ? formatWhen(new Date(d as string)) : '—'));
  hb.registerHelper('iso', (d: unknown) => (d instanceof Date || typeof d === 'string' ? new Date(d as string).toISOString() : ''));
  hb.registerHelper('pretty', (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2)));
  hb.registerHelper('pct', (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 1000) / 10}%` : '—'));
  return hb;
}

export function formatWhen(d: Date): string {
  return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function load(): Map<string, Handlebars.TemplateDelegate> {
  if (compiled) return compiled;
  const hb = instance();
  const partials = join(dir(), 'partials');
  for (const f of readdirSync(partials).filter((f) => f.endsWith('.hbs')).sort()) hb.registerPartial(basename(f, '.hbs'), readFileSync(join(partials, f), 'utf8'));
  const out = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of readdirSync(dir()).filter((f) => f.endsWith('.hbs')).sort()) {
    const src = readFileSync(join(dir(), f), 'utf8');
    try {
      hb.precompile(src);
    } catch (err) {
      throw new Error(`template templates/console/${f}: ${(err as Error).message}`);
    }
    // preventIndent: a partial on an indented line must not indent multi-line values (textareas, <pre>).
    out.set(basename(f, '.hbs'), hb.compile(src, { preventIndent: true }));
  }
  compiled = out;
  return out;
}

export function renderConsole(name: string, context: object): string {
  const t = load().get(name);
  if (!t) throw new Error(`no console template ${name}`);
  return t(context);
}

/** console.css (base.css + the console's own) and console.js, read and hashed once, served from 'self'. */
export interface ConsoleAsset {
  path: string;
  contentType: string;
  body: Buffer;
}
let assets: { css: ConsoleAsset; js: ConsoleAsset } | null = null;
export function consoleAssets() {
  if (assets) return assets;
  const css = Buffer.concat([readFileSync(join(templatesDir(), 'pages', 'base.css')), Buffer.from('\n'), readFileSync(join(dir(), 'console.css'))]);
  const js = readFileSync(join(dir(), 'console.js'));
  const v = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 12);
  assets = {
    css: { path: `/admin/console/assets/console.css?v=${v(css)}`, contentType: 'text/css; charset=utf-8', body: css },
    js: { path: `/admin/console/assets/console.js?v=${v(js)}`, contentType: 'text/javascript; charset=utf-8', body: js },
  };
  return assets;
}
