import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_LOCALE } from '../render/locales.js';
import { templatesDir } from '../render/paths.js';

/**
 * Which keys each locale file lacks (or has extra) compared with en.json, read from the files as they
 * are on disk — so a half-translated file is reported here even though the service refuses to load it.
 */
export interface LocaleReport {
  locale: string;
  file: string;
  missing: string[];
  extra: string[];
  error: string | null;
}

function leafKeys(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return prefix ? [prefix] : [];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

export function localeReport(dir = join(templatesDir(), 'locales')): LocaleReport[] {
  const files = readdirSync(dir).filter((f) => /^[a-z]{2,3}\.json$/.test(f)).sort();
  const read = (f: string): { keys: Set<string> | null; error: string | null } => {
    try {
      return { keys: new Set(leafKeys(JSON.parse(readFileSync(join(dir, f), 'utf8')))), error: null };
    } catch (e) {
      return { keys: null, error: `not valid JSON: ${(e as Error).message}` };
    }
  };
  const base = read(`${BASE_LOCALE}.json`);
  return files.map((f) => {
    const mine = read(f);
    const file = `templates/locales/${f}`;
    if (!mine.keys || !base.keys) return { locale: f.replace('.json', ''), file, missing: [], extra: [], error: mine.error ?? base.error };
    return { locale: f.replace('.json', ''), file, missing: [...base.keys].filter((k) => !mine.keys!.has(k)), extra: [...mine.keys].filter((k) => !base.keys!.has(k)), error: null };
  });
}
