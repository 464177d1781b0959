import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localeReport } from './locale-report.js';

describe('locale report', () => {
  it('lists the keys a locale lacks or adds compared with en.json, and broken files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    writeFileSync(join(dir, 'en.json'), JSON.stringify({ a: 'A', page: { title: 'T', text: 'X' } }));
    writeFileSync(join(dir, 'fr.json'), JSON.stringify({ a: 'A', page: { title: 'T' }, typo: 'x' }));
    writeFileSync(join(dir, 'nl.json'), '{ not json');
    const r = localeReport(dir);
    expect(r.find((x) => x.locale === 'fr')).toMatchObject({ missing: ['page.text'], extra: ['typo'], error: null });
    expect(r.find((x) => x.locale === 'nl')?.error).toMatch(/not valid JSON/);
    expect(r.find((x) => x.locale === 'en')).toMatchObject({ missing: [], extra: [] });
  });

  it('finds the shipped locales complete', () => {
    for (const r of localeReport()) expect(r).toMatchObject({ missing: [], extra: [], error: null });
  });
});
