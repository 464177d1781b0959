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

/** The stylesheet the app serves at /assets/survey.css (the pages' CSP allows only 'self' styles). */
export function surveyCssPath(): string {
  return join(TEMPLATES_DIR, 'pages', 'survey.css');
}
