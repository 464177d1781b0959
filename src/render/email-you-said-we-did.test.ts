import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { buildSurveyEmail } from '../pipeline/stages/deliver-email.js';
import type { StageContext } from '../pipeline/context.js';
import type { SurveyForDelivery } from '../store/surveys.js';
import { renderSurveyEmail, type SurveyEmailInput } from './email.js';

/** The optional "you said, we did" line in the survey email's footer (connector setting analytics.youSaidWeDidInEmail). */
const input = (o: Partial<SurveyEmailInput> = {}): SurveyEmailInput => ({
  locale: 'en',
  defaultLocale: 'en',
  scale: 'csat',
  kind: 'survey',
  recipientName: 'Alex Example',
  ticket: { key: 'INC0012345', title: 'Laptop does not start' },
  surveyUrl: 'https://feedback.example.com/s/tok_3xAmPlE-Token',
  unsubscribeUrl: 'https://feedback.example.com/u/tok_3xAmPlE-Token',
  expiresAt: new Date('2025-03-29T12:00:00Z'),
  branding: { organisationName: 'Contoso IT', logoUrl: null, primaryColor: '#0b5cad', textColor: '#1f2328' },
  ...o,
});
const URL_ = 'https://feedback.example.com/you-said-we-did/snow-prod';
const footer = (html: string) => html.slice(html.lastIndexOf('<td style="padding:16px 24px'), html.indexOf('</body>'));

describe('"you said, we did" in the survey email footer', () => {
  for (const locale of ['en', 'de']) {
    it(`adds a line and a link in both parts (${locale})`, () => {
      const email = renderSurveyEmail(input({ locale, youSaidWeDidUrl: URL_ }));
      expect(footer(email.html)).toMatchSnapshot('html footer');
      expect(email.text.slice(email.text.indexOf('-- \n'))).toMatchSnapshot('text footer');
    });
  }

  it('is absent unless asked for: the email is exactly what it was', () => {
    const without = renderSurveyEmail(input());
    expect(renderSurveyEmail(input({ youSaidWeDidUrl: null }))).toEqual(without);
    expect(without.html).not.toContain('you-said-we-did');
    expect(without.text).not.toContain('See what we changed');
  });

  it('is linked by the send stage only when the connector publishes the page and asks for the line', () => {
    const ctx = { mail: { publicUrl: 'https://feedback.example.com', fromAddress: 'it@example.com' } } as unknown as StageContext;
    const survey = { id: '1', scale: 'csat', locale: 'de', email: 'a@example.com', name: 'A', ticketKey: 'INC1', ticketTitle: 't' } as SurveyForDelivery;
    const def = (analytics: object) => connectorDefinitionSchema.parse({ id: 'snow-prod', name: 'x', kind: 'servicenow', baseUrl: 'https://x.service-now.com', auth: { type: 'basic', username: 'u', password: 'p' }, analytics });
    const text = (analytics: object) => buildSurveyEmail(ctx, survey, def(analytics), 'survey', new Date('2026-12-31T00:00:00Z')).email.text;
    expect(text({ publicYouSaidWeDid: true, youSaidWeDidInEmail: true })).toContain(`Was wir aufgrund Ihres Feedbacks geändert haben: ${URL_}`);
    expect(text({ publicYouSaidWeDid: true })).not.toContain(URL_);
    expect(text({ youSaidWeDidInEmail: true })).not.toContain(URL_);
  });
});
