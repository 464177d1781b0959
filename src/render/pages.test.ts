import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Branding } from '../connectors/common-definition.js';
import { SCALE_NAMES, scaleValues } from '../rules/scales.js';
import {
  localeFromAcceptLanguage,
  renderErrorPage,
  renderNotFoundPage,
  renderSurveyPage,
  renderThanksPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
  surveyCssPath,
  type SurveyPageInput,
} from './pages.js';
import { pageStylesheet, templatesDir } from './paths.js';
import { join } from 'node:path';

const BRANDING: Branding = {
  organisationName: 'Contoso IT',
  logoUrl: 'https://cdn.example.com/logo.png',
  primaryColor: '#0b5cad',
  textColor: '#1f2328',
};
const EXPIRES_AT = new Date('2025-03-29T12:00:00Z');
const HOSTILE_TITLE = '<script>alert(1)</script> {{x}} <a href="javascript:alert(1)">x</a>';

function surveyInput(overrides: Partial<SurveyPageInput> = {}): SurveyPageInput {
  return {
    locale: 'en',
    defaultLocale: 'en',
    branding: BRANDING,
    scale: 'csat',
    selected: 4,
    ticket: { key: 'INC0012345', title: 'Laptop does not start' },
    formAction: '/s/tok_3xAmPlE-Token',
    csrfToken: 'csrf-abc123',
    comment: null,
    expiresAt: EXPIRES_AT,
    answeredBefore: false,
    ...overrides,
  };
}

const base = { locale: 'en', defaultLocale: 'en', branding: BRANDING };

function allPages(locale: string | null): string[] {
  const p = { ...base, locale };
  return [
    renderSurveyPage(surveyInput({ locale })),
    renderSurveyPage(surveyInput({ locale, error: 'choose_rating', selected: null, answeredBefore: true })),
    renderThanksPage({ ...p, scale: 'nps', score: 9, changeUrl: '/s/tok', expiresAt: EXPIRES_AT }),
    renderUnsubscribePage({ ...p, formAction: '/u/tok', csrfToken: 'csrf' }),
    renderUnsubscribedPage(p),
    renderNotFoundPage({ locale, defaultLocale: 'en' }),
    renderErrorPage({ locale, defaultLocale: 'en', message: 'too_many_requests' }),
    renderErrorPage({ locale, defaultLocale: 'en', message: 'bad_request' }),
  ];
}

function radios(html: string): string[] {
  return html.match(/<input\b[^>]*type="radio"[^>]*>/g) ?? [];
}

function attr(tag: string, name: string): string | null {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? null;
}

describe('survey page snapshots', () => {
  for (const scale of SCALE_NAMES) {
    for (const locale of ['en', 'de']) {
      it(`${scale} in ${locale}`, () => {
        const selected = scaleValues(scale)[1] ?? null;
        expect(renderSurveyPage(surveyInput({ scale, locale, selected }))).toMatchSnapshot();
      });
    }
  }

  it('with an error, an earlier answer and a comment (de)', () => {
    expect(
      renderSurveyPage(
        surveyInput({ locale: 'de', error: 'comment_too_long', answeredBefore: true, comment: 'Zu langsam.\nAber freundlich.' }),
      ),
    ).toMatchSnapshot();
  });
});

describe('every page', () => {
  for (const locale of ['en', 'de']) {
    it(`(${locale}) is a noindex HTML document with no scripts, inline styles or third-party origins`, () => {
      for (const html of allPages(locale)) {
        expect(html.startsWith('<!doctype html>\n')).toBe(true);
        expect(html).toContain(`<html lang="${locale}"`);
        expect(html).toContain('<meta name="robots" content="noindex,nofollow">');
        expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(html).toContain('<link rel="stylesheet" href="/assets/survey.css">');
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toMatch(/style="/i);
        expect(html).not.toMatch(/<style\b/i);
        expect(html).not.toMatch(/\bon[a-z]+="/i);
        expect(html).not.toMatch(/<img\b/i); // no logo on pages: img-src 'self' only
        expect(html).not.toMatch(/(?:href|src|action)="(?:https?:)?\/\//i);
      }
    });
  }

  it('the stylesheet exists and hides the honeypot off-screen', () => {
    expect(existsSync(surveyCssPath())).toBe(true);
    const css = readFileSync(surveyCssPath(), 'utf8');
    expect(css).toMatch(/\.hp\s*\{[^}]*left:\s*-10000px/);
  });

  it('each served stylesheet is the shared base (palette, box model, type) followed by its own rules', () => {
    for (const page of ['survey', 'dashboard'] as const) {
      const css = pageStylesheet(page).toString('utf8');
      const palette = css.indexOf('--accent: #0b5cad');
      expect(palette).toBeGreaterThan(-1);
      expect(css.indexOf('--accent: #0b5cad', palette + 1)).toBe(-1); // defined once
      expect(css).toMatch(/box-sizing: border-box/);
      expect(css.indexOf(readFileSync(join(templatesDir(), 'pages', `${page}.css`), 'utf8'))).toBeGreaterThan(palette);
    }
  });
});

describe('survey page form', () => {
  it('has a fieldset with the question as legend and one labelled radio per value', () => {
    for (const scale of SCALE_NAMES) {
      const html = renderSurveyPage(surveyInput({ scale, selected: null }));
      expect(html).toMatch(/<form method="post" action="\/s\/tok_3xAmPlE-Token"/);
      expect(html).toMatch(/<fieldset\b[^>]*>\s*<legend>[^<]+<\/legend>/);
      const inputs = radios(html);
      expect(inputs.map((r) => attr(r, 'value'))).toEqual(scaleValues(scale).map(String));
      for (const radio of inputs) {
        expect(attr(radio, 'name')).toBe('score');
        const id = attr(radio, 'id');
        expect(id).toBeTruthy();
        expect(html.split(`id="${id}"`)).toHaveLength(2); // ids are unique
        const label = new RegExp(`<label for="${id}">([\\s\\S]*?)</label>`).exec(html);
        expect(label?.[1]?.replace(/<[^>]*>/g, '')).toMatch(new RegExp(`^${attr(radio, 'value')}\\b`));
      }
    }
  });

  it('labels carry the number and the label text', () => {
    const html = renderSurveyPage(surveyInput({ locale: 'de' }));
    const label = /<label for="score-5">([\s\S]*?)<\/label>/.exec(html)?.[1]?.replace(/<[^>]*>/g, '');
    expect(label).toBe('5 – Sehr zufrieden');
  });

  it('checks the selected value and only that one', () => {
    for (const scale of SCALE_NAMES) {
      for (const selected of scaleValues(scale)) {
        const html = renderSurveyPage(surveyInput({ scale, selected }));
        const checked = radios(html).filter((r) => /\schecked(?=[\s>])/.test(r));
        expect(checked).toHaveLength(1);
        expect(attr(checked[0]!, 'value')).toBe(String(selected));
        expect(html.match(/\bchecked\b/g)).toHaveLength(1);
      }
    }
  });

  it('checks nothing without a selection or for a value outside the scale', () => {
    for (const selected of [null, 0, 6, 2.5, -1]) {
      const html = renderSurveyPage(surveyInput({ selected }));
      expect(html).not.toMatch(/\bchecked\b/);
    }
  });

  it('has the comment box, CSRF token, honeypot and submit button', () => {
    const html = renderSurveyPage(surveyInput());
    expect(html).toContain('<label for="comment">');
    expect(html).toMatch(/<textarea id="comment" name="comment" maxlength="2000"/);
    expect(html).toContain('<input type="hidden" name="_csrf" value="csrf-abc123">');
    expect(html).toMatch(/<div class="hp" aria-hidden="true">\s*<label for="website">[^<]+<\/label>\s*<input type="text" id="website" name="website" value="" tabindex="-1" autocomplete="off">/);
    expect(html).toMatch(/<button type="submit">Send feedback<\/button>/);
  });

  it('shows errors with role="alert" and links them to the field', () => {
    const rating = renderSurveyPage(surveyInput({ error: 'choose_rating', selected: null }));
    expect(rating).toContain('<div class="alert" role="alert" id="form-error">Please choose an answer.</div>');
    expect(rating).toMatch(/<fieldset [^>]*aria-describedby="form-error"/);
    const comment = renderSurveyPage(surveyInput({ error: 'comment_too_long', locale: 'de' }));
    expect(comment).toContain('role="alert"');
    expect(comment).toContain('Bitte kürzen Sie ihn auf höchstens 2000 Zeichen.');
    expect(comment).toMatch(/<textarea [^>]*aria-describedby="comment-hint form-error"/);
    expect(renderSurveyPage(surveyInput())).not.toContain('role="alert"');
  });

  it('keeps the comment, escaped, in the textarea', () => {
    const html = renderSurveyPage(surveyInput({ comment: '\nfirst line</textarea><script>x</script>' }));
    expect(html).toContain('>\n\nfirst line&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>');
    expect(html).not.toMatch(/<script/i);
  });

  it('says until when the answer can be changed once answered', () => {
    const en = renderSurveyPage(surveyInput({ answeredBefore: true }));
    expect(en).toContain('You have already answered. You can change your answer until March 29, 2025.');
    const de = renderSurveyPage(surveyInput({ answeredBefore: true, locale: 'de' }));
    expect(de).toContain('Sie können Ihre Antwort bis zum 29. März 2025 ändern.');
    expect(renderSurveyPage(surveyInput())).not.toContain('already answered');
  });

  it('escapes a hostile ticket title and organisation name', () => {
    const html = renderSurveyPage(
      surveyInput({ ticket: { key: 'INC1', title: HOSTILE_TITLE }, branding: { ...BRANDING, organisationName: '<b onmouseover=x>' } }),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('<b onmouseover');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; {{x}}');
  });

  it('refuses a form action that is not a URL we built', () => {
    expect(() => renderSurveyPage(surveyInput({ formAction: 'javascript:alert(1)' }))).toThrow(/scheme/);
    expect(() => renderSurveyPage(surveyInput({ formAction: '//evil.example/x' }))).toThrow();
  });
});

describe('page locale', () => {
  it('accepts an Accept-Language header value', () => {
    const html = renderSurveyPage(surveyInput({ locale: 'de-DE,de;q=0.9,en;q=0.8' }));
    expect(html).toContain('<html lang="de"');
    expect(html).toContain('Ihr Feedback');
  });

  it('falls back to the default for languages not shipped', () => {
    expect(renderSurveyPage(surveyInput({ locale: 'fr-FR,fr;q=0.9', defaultLocale: 'de' }))).toContain('<html lang="de"');
    expect(renderSurveyPage(surveyInput({ locale: null, defaultLocale: 'de-DE' }))).toContain('<html lang="de"');
    expect(renderNotFoundPage({ locale: 'fr', defaultLocale: 'es' })).toContain('<html lang="en"');
  });

  it('localeFromAcceptLanguage is exported for the routes', () => {
    expect(localeFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
  });
});

describe('other pages', () => {
  it('thanks page shows the answer and a link to change it', () => {
    const html = renderThanksPage({ ...base, scale: 'csat', score: 5, changeUrl: '/s/tok', expiresAt: EXPIRES_AT });
    expect(html).toContain('Your answer: 5 – Very satisfied');
    expect(html).toContain('You can change your answer until March 29, 2025. <a href="/s/tok">Change your answer</a>');
    const de = renderThanksPage({ ...base, locale: 'de', scale: 'nps', score: 7, changeUrl: '/s/tok', expiresAt: EXPIRES_AT });
    expect(de).toContain('Ihre Antwort: 7');
    expect(de).toContain('<h1>Vielen Dank!</h1>');
  });

  it('not-found page is identical whatever the caller knows, and unbranded', () => {
    const a = renderNotFoundPage({ locale: 'en', defaultLocale: 'en' });
    const b = renderNotFoundPage({ locale: 'en-US,en;q=0.5', defaultLocale: 'de' });
    expect(a).toBe(b);
    expect(a).toContain('<h1>Page not found</h1>');
    expect(a).not.toContain('Contoso');
    expect(a).not.toContain('<form');
    expect(renderNotFoundPage({ locale: 'de', defaultLocale: 'en' })).toContain('Dieser Link ist ungültig oder abgelaufen.');
  });

  it('unsubscribe page asks for confirmation with a CSRF-protected POST', () => {
    const html = renderUnsubscribePage({ ...base, formAction: '/u/tok', csrfToken: 'csrf-1' });
    expect(html).toContain('<h1>Stop receiving satisfaction surveys from Contoso IT?</h1>');
    expect(html).toContain('<form method="post" action="/u/tok">');
    expect(html).toContain('<input type="hidden" name="_csrf" value="csrf-1">');
    expect(html).toContain('<button type="submit">Yes, unsubscribe me</button>');
    const de = renderUnsubscribePage({ ...base, locale: 'de', formAction: '/u/tok', csrfToken: 'csrf-1' });
    expect(de).toContain('Keine Zufriedenheitsumfragen mehr von Contoso IT erhalten?');
  });

  it('unsubscribed page confirms', () => {
    expect(renderUnsubscribedPage(base)).toContain('You will no longer receive satisfaction surveys from Contoso IT.');
    expect(renderUnsubscribedPage({ ...base, locale: 'de' })).toContain(
      'Sie erhalten keine Zufriedenheitsumfragen mehr von Contoso IT.',
    );
  });

  it('error pages are localised and unbranded', () => {
    const tooMany = renderErrorPage({ locale: 'de', defaultLocale: 'en', message: 'too_many_requests' });
    expect(tooMany).toContain('<h1>Zu viele Anfragen</h1>');
    const bad = renderErrorPage({ locale: null, defaultLocale: 'en', message: 'bad_request' });
    expect(bad).toContain('<h1>Something went wrong</h1>');
    expect(bad).not.toContain('Contoso');
  });
});
