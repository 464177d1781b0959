import { describe, expect, it } from 'vitest';
import type { Branding } from '../connectors/common-definition.js';
import { SCALE_NAMES, scaleValues, type Scale } from '../rules/scales.js';
import { renderSurveyEmail, SUBJECT_MAX_LENGTH, type SurveyEmailInput } from './email.js';
import { messagesFor, ratingOptions } from './locales.js';

const BRANDING: Branding = {
  organisationName: 'Contoso IT',
  logoUrl: 'https://cdn.example.com/logo.png',
  primaryColor: '#0b5cad',
  textColor: '#1f2328',
};
const SURVEY_URL = 'https://feedback.example.com/s/tok_3xAmPlE-Token';
const HOSTILE_TITLE = '<script>alert(1)</script> {{x}} <a href="javascript:alert(1)">x</a>';
const HOSTILE_NAME = '"><img src=x onerror=alert(1)>';

function input(overrides: Partial<SurveyEmailInput> = {}): SurveyEmailInput {
  return {
    locale: 'en',
    defaultLocale: 'en',
    scale: 'csat',
    kind: 'survey',
    recipientName: 'Alex Example',
    ticket: { key: 'INC0012345', title: 'Laptop does not start' },
    surveyUrl: SURVEY_URL,
    unsubscribeUrl: 'https://feedback.example.com/u/tok_3xAmPlE-Token',
    expiresAt: new Date('2025-03-29T12:00:00Z'),
    branding: BRANDING,
    ...overrides,
  };
}

/** Anchors whose href carries a rating, with their visible text. */
function ratingLinks(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*\?r=\d+)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: m[1] ?? '',
    text: (m[2] ?? '').replace(/<[^>]*>/g, '').trim(),
  }));
}

function ratingLines(text: string): string[] {
  return text.split('\n').filter((line) => /\?r=\d+$/.test(line));
}

describe('renderSurveyEmail snapshots', () => {
  for (const scale of SCALE_NAMES) {
    for (const locale of ['en', 'de']) {
      it(`${scale} in ${locale}`, () => {
        const email = renderSurveyEmail(input({ scale, locale }));
        expect(email.locale).toBe(locale);
        expect(email.subject).toMatchSnapshot('subject');
        expect(email.html).toMatchSnapshot('html');
        expect(email.text).toMatchSnapshot('text');
      });
    }
  }

  it('reminder in de without logo', () => {
    const email = renderSurveyEmail(input({ kind: 'reminder', locale: 'de-DE', branding: { ...BRANDING, logoUrl: null } }));
    expect(email.subject).toMatchSnapshot('subject');
    expect(email.html).toMatchSnapshot('html');
    expect(email.text).toMatchSnapshot('text');
  });
});

describe('rating links', () => {
  const expectedCount: Record<Scale, number> = { csat: 5, nps: 11, ces: 7 };

  for (const scale of SCALE_NAMES) {
    for (const locale of ['en', 'de']) {
      it(`${scale}/${locale}: one link per value in both parts, with number and label`, () => {
        const email = renderSurveyEmail(input({ scale, locale }));
        const options = ratingOptions(messagesFor(locale), scale);
        expect(options).toHaveLength(expectedCount[scale]);

        const links = ratingLinks(email.html);
        expect(links.map((l) => l.href)).toEqual(scaleValues(scale).map((n) => `${SURVEY_URL}?r=${n}`));
        links.forEach((link, i) => {
          const option = options[i]!;
          expect(link.text).toBe(option.text);
          expect(link.text.startsWith(String(option.value))).toBe(true);
          if (option.label) expect(link.text).toContain(option.label);
        });

        const lines = ratingLines(email.text);
        expect(lines).toEqual(options.map((o) => `${o.text}: ${SURVEY_URL}?r=${o.value}`));
      });
    }
  }

  it('text lines read like "5 – Very satisfied: https://…?r=5"', () => {
    const { text } = renderSurveyEmail(input());
    expect(text).toContain(`5 – Very satisfied: ${SURVEY_URL}?r=5`);
    expect(text).toContain(`1 – Very dissatisfied: ${SURVEY_URL}?r=1`);
  });

  it('rating buttons use the branding colour, with a readable text colour', () => {
    const dark = renderSurveyEmail(input({ branding: { ...BRANDING, primaryColor: '#0B5CAD' } })).html;
    expect(dark).toContain('bgcolor="#0b5cad"');
    expect(dark).toMatch(/<a href="[^"]*\?r=1" style="[^"]*color:#ffffff;/);
    const light = renderSurveyEmail(input({ branding: { ...BRANDING, primaryColor: '#ffd700' } })).html;
    expect(light).toMatch(/<a href="[^"]*\?r=1" style="[^"]*color:#111111;/);
  });
});

describe('email structure and accessibility', () => {
  it('sets the language of the document', () => {
    expect(renderSurveyEmail(input({ locale: 'de-DE' })).html).toContain('<html lang="de"');
    expect(renderSurveyEmail(input({ locale: 'en' })).html).toContain('<html lang="en"');
  });

  it('marks every table as a layout table', () => {
    for (const scale of SCALE_NAMES) {
      const { html } = renderSurveyEmail(input({ scale }));
      const tables = html.match(/<table\b[^>]*>/g) ?? [];
      expect(tables.length).toBeGreaterThan(3);
      for (const table of tables) expect(table).toContain('role="presentation"');
    }
  });

  it('shows the logo with the organisation as alt text only when configured', () => {
    const withLogo = renderSurveyEmail(input()).html;
    expect(withLogo).toContain('<img src="https://cdn.example.com/logo.png" alt="Contoso IT"');
    const without = renderSurveyEmail(input({ branding: { ...BRANDING, logoUrl: null } })).html;
    expect(without).not.toContain('<img');
    expect(without).toContain('Contoso IT');
  });

  it('drops a logo URL that is not https (config validates it, the renderer does not trust it)', () => {
    const { html } = renderSurveyEmail(input({ branding: { ...BRANDING, logoUrl: 'javascript:alert(1)' } }));
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
  });

  it('has no script, external CSS or tracking pixel, and only inline styles', () => {
    for (const scale of SCALE_NAMES) {
      const { html } = renderSurveyEmail(input({ scale }));
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/<style\b/i);
      expect((html.match(/<img\b/g) ?? []).length).toBe(1); // the logo, nothing else
      expect(html).not.toMatch(/\bon[a-z]+=/i);
    }
  });

  it('has a footer with the reason, the expiry date and the unsubscribe link, in both parts', () => {
    const en = renderSurveyEmail(input());
    expect(en.html).toContain('You are receiving this because your ticket INC0012345 was closed.');
    expect(en.html).toContain('You can answer until March 29, 2025.');
    expect(en.html).toContain('<a href="https://feedback.example.com/u/tok_3xAmPlE-Token"');
    expect(en.text).toContain('You can answer until March 29, 2025.');
    expect(en.text).toContain('Unsubscribe from satisfaction surveys: https://feedback.example.com/u/tok_3xAmPlE-Token');
    const de = renderSurveyEmail(input({ locale: 'de' }));
    expect(de.text).toContain('Sie können bis zum 29. März 2025 antworten.');
    expect(de.text).toContain('Sie erhalten diese E-Mail, weil Ihr Ticket INC0012345 abgeschlossen wurde.');
  });

  it('falls back to the connector default for a language that is not shipped', () => {
    expect(renderSurveyEmail(input({ locale: 'fr', defaultLocale: 'de' })).locale).toBe('de');
    expect(renderSurveyEmail(input({ locale: null, defaultLocale: 'de-DE' })).locale).toBe('de');
    expect(renderSurveyEmail(input({ locale: 'fr', defaultLocale: 'es' })).locale).toBe('en');
  });

  it('reads well without a name, key or title', () => {
    const email = renderSurveyEmail(input({ recipientName: null, ticket: { key: null, title: null } }));
    expect(email.subject).toBe('How did we do? Your feedback on your recent request');
    expect(email.text.startsWith('Hello,\n')).toBe(true);
    expect(email.text).toContain('Your recent request has been closed.');
    expect(email.text).toContain('You are receiving this because your request to Contoso IT was closed.');
    const titleOnly = renderSurveyEmail(input({ ticket: { key: null, title: 'VPN' }, locale: 'de' }));
    expect(titleOnly.text).toContain('Ihre Anfrage „VPN“ wurde abgeschlossen.');
  });
});

describe('subject', () => {
  it('is localised, includes the ticket key and differs for reminders', () => {
    expect(renderSurveyEmail(input()).subject).toBe('How did we do? Your feedback on ticket INC0012345');
    expect(renderSurveyEmail(input({ kind: 'reminder' })).subject).toBe('Reminder: your feedback on ticket INC0012345');
    expect(renderSurveyEmail(input({ locale: 'de' })).subject).toBe('Wie waren wir? Ihr Feedback zum Ticket INC0012345');
    expect(renderSurveyEmail(input({ locale: 'de', kind: 'reminder' })).subject).toBe(
      'Erinnerung: Ihr Feedback zum Ticket INC0012345',
    );
  });

  it('has no CR/LF or control characters (header injection)', () => {
    const { subject, html, text } = renderSurveyEmail(
      input({ ticket: { key: 'INC1\r\nBcc: x@evil\u0000\u0007\u2028', title: 'a\r\nb' } }),
    );
    expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u007f\u2028\u2029]/);
    expect(subject).toBe('How did we do? Your feedback on ticket INC1 Bcc: x@evil');
    expect(html).not.toContain('\r');
    expect(text).toContain('INC1 Bcc: x@evil “a b”');
  });

  it('is capped in length', () => {
    const { subject } = renderSurveyEmail(input({ ticket: { key: 'K'.repeat(500), title: null } }));
    expect(Array.from(subject).length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(subject.endsWith('…')).toBe(true);
  });
});

describe('hostile input', () => {
  const hostile = input({ recipientName: HOSTILE_NAME, ticket: { key: 'INC0012345', title: HOSTILE_TITLE } });

  it('is escaped in the HTML part', () => {
    const { html } = renderSurveyEmail(hostile);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('"><img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;a href&#x3D;&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('{{x}}'); // data, never evaluated as a template
  });

  it('stays readable as typed in the text part', () => {
    const { text } = renderSurveyEmail(hostile);
    expect(text).toContain(`INC0012345 “${HOSTILE_TITLE}”`);
    expect(text).toContain(`Hello ${HOSTILE_NAME},`);
    expect(text).not.toContain('&lt;');
    expect(text).not.toContain('&quot;');
    expect(text).not.toContain('&#x3D;');
  });

  it('never lets the organisation name or colours break out of attributes', () => {
    const { html } = renderSurveyEmail(
      input({
        branding: {
          organisationName: '"><script>x</script>',
          logoUrl: 'https://cdn.example.com/logo.png',
          primaryColor: 'red;background:url(https://evil.example/x)',
          textColor: '#000000" onmouseover="x',
        },
      }),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('alt="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(html).not.toContain('evil.example');
    expect(html).not.toContain('onmouseover');
    expect(html).toContain('bgcolor="#0b5cad"'); // default colour instead
  });
});
