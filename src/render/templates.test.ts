import { describe, expect, it } from 'vitest';
import { messagesFor } from './locales.js';
import { checkedUrl, loadTemplates, renderTemplate } from './templates.js';

describe('templates', () => {
  it('load and compile without error', () => {
    expect(() => loadTemplates()).not.toThrow();
  });

  it('are strict: a field missing from the data fails loudly instead of rendering empty', () => {
    const data = { messages: messagesFor('en'), locale: 'en' };
    expect(() => renderTemplate('pages/error', { lang: 'en', pageTitle: 'x', orgName: null, footer: null, text: 't' }, data)).toThrow(
      /"heading" not defined/,
    );
  });

  it('t fails loudly on a null placeholder value', () => {
    const data = { messages: messagesFor('en'), locale: 'en' };
    expect(() =>
      renderTemplate('pages/unsubscribed', { lang: 'en', pageTitle: 'x', orgName: null, footer: null }, data),
    ).toThrow(/\{org\} is null/);
  });
});

describe('checkedUrl (the {{href}} helper)', () => {
  it('accepts http(s) URLs and root-relative paths', () => {
    expect(checkedUrl('https://feedback.example.com/s/abc?r=5')).toBe('https://feedback.example.com/s/abc?r=5');
    expect(checkedUrl('/s/abc')).toBe('/s/abc');
  });

  it.each(['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', '//evil.example', '/\\evil.example', 'relative', '', ' https://x.example', 'https://x.example/\n'])(
    'rejects %j',
    (url) => {
      expect(() => checkedUrl(url)).toThrow();
    },
  );
});
