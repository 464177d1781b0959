import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type Handlebars from 'handlebars';
import { type Messages, translate, type Params } from './locales.js';
import { templatesDir } from './paths.js';

/**
 * Handlebars templates under templates/, each compiled once per process (on its first render, so that
 * a worker compiles the email and ITSM templates and never the pages) with
 * a dedicated Handlebars instance and `strict: true`, so a misspelt field in an edited template
 * throws instead of rendering an empty string.
 *
 * - `*.html.hbs` and pages escape every {{ }}; text templates (`*.text.hbs`) are compiled with
 *   `noEscape` (plain text must not contain entities). Values are data: Handlebars never
 *   re-evaluates a value as a template.
 * - Helpers: `{{t "key.path" name=value}}` prints a localised string (placeholders filled in one
 *   pass, escaped as a whole in HTML); `{{href url}}` prints a URL we built (http(s) or a
 *   root-relative path, anything else throws) attribute-escaped without turning `=` into an entity;
 *   `{{json value}}` prints a value as JSON for a `<script type="application/json">` block, with
 *   `<`, `>`, `&`, U+2028 and U+2029 as \u escapes so no string inside can close the element.
 * - Files in templates/pages/partials/ are partials named after the file (`{{#> layout}}`).
 */

export const TEMPLATE_NAMES = [
  'email/survey.html',
  'email/survey.text',
  'email/digest.html',
  'email/digest.text',
  'pages/survey',
  'pages/thanks',
  'pages/not-found',
  'pages/unsubscribe',
  'pages/unsubscribed',
  'pages/error',
  'pages/answers',
  'pages/dashboard',
  'pages/dashboard-answers',
  'pages/scoreboard',
  'pages/analytics-message',
  'itsm/feedback-note.text',
  'itsm/follow-up-task.text',
  'itsm/escalation-note.text',
  'itsm/rating-change-note.text',
  'itsm/improvement-record.text',
  'pages/initiative-form',
  'pages/you-said-we-did',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

type Compiled = Handlebars.TemplateDelegate;

interface Registry {
  hb: typeof Handlebars;
  templates: Map<TemplateName, Compiled>;
  /** The page partials are registered with the first page compiled. */
  partials: boolean;
}

let registry: Registry | null = null;

interface RenderData {
  messages: Messages;
  locale: string;
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SCRIPT_JSON_ESCAPES = /[<>&\u2028\u2029]/g;

/**
 * JSON that is safe as the text of a `<script type="application/json">` element: the characters
 * that could end the element or open a comment (`</script>`, `<!--`) become \u escapes, which
 * JSON.parse turns back into the same characters.
 */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error('json: value is not serialisable');
  return json.replace(SCRIPT_JSON_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

/** Only URLs we build reach an href/src/action: absolute http(s) or a root-relative path. */
export function checkedUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error('href: expected a URL string');
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) throw new Error('href: URL contains whitespace or control characters');
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('href: not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`href: scheme ${url.protocol} is not allowed`);
  return value;
}

// Handlebars (a CommonJS package) is required with the first template rendered, synchronously as
// rendering is: a process that renders nothing (a worker before its first send) never loads it.
const requireCjs = createRequire(import.meta.url);

function createInstance(): typeof Handlebars {
  const hb = (requireCjs('handlebars') as typeof Handlebars).create();

  hb.registerHelper('t', function t(this: unknown, key: unknown, options: Handlebars.HelperOptions) {
    if (typeof key !== 'string') throw new Error('t: the first argument must be a message key string');
    const data = options.data as Partial<RenderData> | undefined;
    if (!data?.messages) throw new Error('t: no messages in the render data');
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') params[name] = value;
      else throw new Error(`t "${key}": value for {${name}} is ${value === null ? 'null' : typeof value}`);
    }
    return translate(data.messages, key, params as Params);
  });

  hb.registerHelper('href', function href(this: unknown, url: unknown) {
    return new hb.SafeString(escapeAttribute(checkedUrl(url)));
  });

  hb.registerHelper('json', function json(this: unknown, value: unknown) {
    return new hb.SafeString(scriptJson(value));
  });

  return hb;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function compile(hb: typeof Handlebars, path: string, text: boolean): Compiled {
  const source = read(path);
  const options = { strict: true, noEscape: text };
  try {
    // hb.compile is lazy; precompiling surfaces syntax errors now, with the file name.
    hb.precompile(source, options);
  } catch (err) {
    throw new Error(`template ${path}: ${(err as Error).message}`);
  }
  return hb.compile(source, options);
}

function load(name: TemplateName): Compiled {
  registry ??= { hb: createInstance(), templates: new Map(), partials: false };
  const found = registry.templates.get(name);
  if (found) return found;
  const dir = templatesDir();
  if (name.startsWith('pages/') && !registry.partials) {
    const partialsDir = join(dir, 'pages', 'partials');
    for (const file of readdirSync(partialsDir).sort()) {
      if (!file.endsWith('.hbs')) continue;
      registry.hb.registerPartial(basename(file, '.hbs'), compile(registry.hb, join(partialsDir, file), false));
    }
    registry.partials = true;
  }
  const template = compile(registry.hb, join(dir, `${name}.hbs`), name.endsWith('.text'));
  registry.templates.set(name, template);
  return template;
}

/** Loads and compiles every template and renders nothing: call at start-up to fail fast. */
export function loadTemplates(): void {
  for (const name of TEMPLATE_NAMES) load(name);
}

/** The templates this process has compiled so far. */
export function compiledTemplates(): TemplateName[] {
  return [...(registry?.templates.keys() ?? [])];
}

export function renderTemplate(name: TemplateName, context: object, data: RenderData): string {
  if (!TEMPLATE_NAMES.includes(name)) throw new Error(`unknown template ${name}`);
  return load(name)(context, { data: { ...data } });
}
