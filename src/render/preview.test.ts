import { describe, expect, it } from 'vitest';
import { SCALE_NAMES } from '../rules/scales.js';
import { isPreviewName, PREVIEWABLE, renderPreview } from './preview.js';

const branding = { organisationName: 'Contoso IT', logoUrl: null, primaryColor: '#0b5cad', textColor: '#1f2328' };

describe('renderPreview', () => {
  for (const name of PREVIEWABLE) {
    it(`renders ${name} for every scale and language`, () => {
      for (const scale of SCALE_NAMES) {
        for (const locale of ['en', 'de', 'fr']) {
          const preview = renderPreview(name, { locale, scale, branding });
          expect(preview.body.length).toBeGreaterThan(100);
          if (name === 'survey-email-text') {
            expect(preview.contentType).toBe('text/plain; charset=utf-8');
            expect(preview.body).toContain('https://feedback.example.com/s/');
          } else {
            expect(preview.contentType).toBe('text/html; charset=utf-8');
          }
          if (name.includes('email')) expect(preview.subject).toContain('INC0012345');
          else expect(preview.subject).toBeUndefined();
          if (name.includes('email') || name === 'survey-page') {
            expect(preview.body).toContain('INC0012345');
          }
        }
      }
    });
  }

  it('uses realistic sample data', () => {
    const email = renderPreview('survey-email-text', { locale: 'en', scale: 'csat', branding });
    expect(email.body).toContain('Hello Alex Example,');
    expect(email.body).toContain('INC0012345 “Laptop does not start”');
    const reminder = renderPreview('reminder-email-html', { locale: 'de', scale: 'csat', branding });
    expect(reminder.subject).toBe('Erinnerung: Ihr Feedback zum Ticket INC0012345');
  });

  it('knows its names', () => {
    expect(isPreviewName('survey-page')).toBe(true);
    expect(isPreviewName('../../etc/passwd')).toBe(false);
    expect(() => renderPreview('nope' as never, { locale: 'en', scale: 'csat', branding })).toThrow(/unknown preview/);
  });
});
