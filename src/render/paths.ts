import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The templates directory at the repository root. Resolved relative to this module, so it is the
 * same from src/render/*.ts (tsx, vitest) and from the compiled dist/render/*.js.
 */
const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export function templatesDir(): string {
  return TEMPLATES_DIR;
}

/** The survey pages' own styles (served after base.css at /assets/survey.css). */
export function surveyCssPath(): string {
  return join(TEMPLATES_DIR, 'pages', 'survey.css');
}

/**
 * A page family's stylesheet as served: base.css (palette, box model, base type, shared by every page)
 * followed by its own file. One request per page; the pages' CSP allows only 'self' styles.
 */
export function pageStylesheet(page: 'survey' | 'dashboard'): Buffer {
  // The dashboard family also carries the "acting on feedback" sections' styles (their own file).
  const files = ['base.css', `${page}.css`, ...(page === 'dashboard' ? ['acting-on-feedback.css'] : [])];
  return Buffer.concat(files.flatMap((f, i) => [...(i ? [Buffer.from('\n')] : []), readFileSync(join(TEMPLATES_DIR, 'pages', f))]));
}
