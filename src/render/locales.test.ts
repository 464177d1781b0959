import { describe, expect, it } from 'vitest';
import { SCALE_NAMES, scaleValues } from '../rules/scales.js';
import {
  availableLocales,
  formatDate,
  interpolate,
  localeFromAcceptLanguage,
  messagesFor,
  ratingOptions,
  resolveLocale,
  translate,
} from './locales.js';

describe('availableLocales', () => {
  it('lists the shipped languages', () => {
    expect(availableLocales()).toEqual(['de', 'en']);
  });
});

describe('resolveLocale', () => {
  it.each([
    ['de', 'de'],
    ['de-DE', 'de'],
    ['de_DE', 'de'],
    ['DE', 'de'],
    ['de-AT', 'de'],
    ['  de-ch ', 'de'],
    ['en-US', 'en'],
    ['en_GB', 'en'],
  ])('%s → %s', (requested, expected) => {
    expect(resolveLocale(requested, 'en')).toBe(expected);
  });

  it('falls back to the default for languages not shipped, missing or malformed values', () => {
    for (const requested of ['fr', 'fr-FR', 'zz', '', '   ', '*', null, undefined, 'deutsch', '-', '_de']) {
      expect(resolveLocale(requested, 'de')).toBe('de');
    }
  });

  it('resolves the fallback the same way (a connector default of de-DE)', () => {
    expect(resolveLocale('fr', 'de-DE')).toBe('de');
    expect(resolveLocale(null, 'de_DE')).toBe('de');
  });

  it('uses en when neither the request nor the fallback is shipped', () => {
    expect(resolveLocale('fr', 'es')).toBe('en');
    expect(resolveLocale(null, '')).toBe('en');
  });
});

describe('localeFromAcceptLanguage', () => {
  it('picks the best shipped language by quality', () => {
    expect(localeFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(localeFromAcceptLanguage('fr-FR,fr;q=0.9,de;q=0.5,en;q=0.8')).toBe('en');
    expect(localeFromAcceptLanguage('en;q=0.4, de;q=0.6')).toBe('de');
    expect(localeFromAcceptLanguage('fr, de;q=0.1')).toBe('de');
  });

  it('keeps header order between equal qualities', () => {
    expect(localeFromAcceptLanguage('en, de')).toBe('en');
    expect(localeFromAcceptLanguage('de, en')).toBe('de');
  });

  it('ignores q=0, wildcards and garbage', () => {
    expect(localeFromAcceptLanguage('de;q=0, en;q=0.1')).toBe('en');
    expect(localeFromAcceptLanguage('*')).toBeNull();
    expect(localeFromAcceptLanguage(';;;,,,')).toBeNull();
  });

  it('treats a malformed weight as absent rather than rejecting the language', () => {
    expect(localeFromAcceptLanguage('de;q=abc')).toBe('de');
    expect(localeFromAcceptLanguage(';;;,,,')).toBeNull();
  });

  it('returns null when nothing listed is shipped, or there is no header', () => {
    expect(localeFromAcceptLanguage('fr-FR,fr;q=0.9')).toBeNull();
    expect(localeFromAcceptLanguage('')).toBeNull();
    expect(localeFromAcceptLanguage(undefined)).toBeNull();
  });

  it('accepts a single tag', () => {
    expect(localeFromAcceptLanguage('de_DE')).toBe('de');
  });
});

describe('interpolate', () => {
  it('fills placeholders in one pass: values are never re-evaluated', () => {
    expect(interpolate('Hello {name}, from {org}', { name: '{org} {{x}}', org: 'IT' })).toBe('Hello {org} {{x}}, from IT');
  });

  it('throws for a placeholder without a value', () => {
    expect(() => interpolate('Hello {name}', {})).toThrow(/\{name\}/);
  });
});

describe('locale files', () => {
  it('every locale has a question and one readable option per scale value', () => {
    for (const locale of availableLocales()) {
      const messages = messagesFor(locale);
      for (const scale of SCALE_NAMES) {
        expect(messages.scales[scale].question.length).toBeGreaterThan(10);
        const options = ratingOptions(messages, scale);
        expect(options.map((o) => o.value)).toEqual(scaleValues(scale));
        for (const o of options) expect(o.text.startsWith(String(o.value))).toBe(true);
      }
      expect(ratingOptions(messages, 'csat').every((o) => o.label)).toBe(true);
      expect(ratingOptions(messages, 'ces').every((o) => o.label)).toBe(true);
      const nps = ratingOptions(messages, 'nps');
      expect(nps[0]?.label).toBeTruthy();
      expect(nps[10]?.label).toBeTruthy();
    }
  });

  it('has the expected English and German wording', () => {
    const en = messagesFor('en');
    const de = messagesFor('de');
    expect(ratingOptions(en, 'csat').map((o) => o.text)).toEqual([
      '1 – Very dissatisfied',
      '2 – Dissatisfied',
      '3 – Neither satisfied nor dissatisfied',
      '4 – Satisfied',
      '5 – Very satisfied',
    ]);
    expect(ratingOptions(en, 'nps')[0]?.text).toBe('0 – Not at all likely');
    expect(ratingOptions(en, 'nps')[10]?.text).toBe('10 – Extremely likely');
    expect(en.scales.nps.question).toMatch(/^How likely are you to recommend/);
    expect(ratingOptions(en, 'ces')[0]?.text).toBe('1 – Very difficult');
    expect(ratingOptions(en, 'ces')[6]?.text).toBe('7 – Very easy');
    expect(ratingOptions(de, 'csat')[4]?.text).toBe('5 – Sehr zufrieden');
    expect(translate(de, 'email.footer.why', { key: 'INC1' })).toBe(
      'Sie erhalten diese E-Mail, weil Ihr Ticket INC1 abgeschlossen wurde.',
    );
  });

  it('translate throws for unknown keys and non-string nodes', () => {
    expect(() => translate(messagesFor('en'), 'email.nope')).toThrow(/unknown message key/);
    expect(() => translate(messagesFor('en'), 'email')).toThrow(/not a string/);
  });

  it('messagesFor an unknown locale gives English', () => {
    expect(messagesFor('fr')).toBe(messagesFor('en'));
  });
});

describe('formatDate', () => {
  it('formats a date per locale, in UTC', () => {
    expect(formatDate('en', new Date('2025-03-29T23:30:00Z'))).toBe('March 29, 2025');
    expect(formatDate('de', new Date('2025-03-29T00:10:00Z'))).toBe('29. März 2025');
  });
});
