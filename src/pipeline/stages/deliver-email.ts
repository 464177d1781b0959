import type { ConnectorDefinition } from '../../connectors/registry.js';
import { newToken } from '../../lib/tokens.js';
import { renderSurveyEmail } from '../../render/email.js';
import type { OutgoingEmail } from '../../mail/transport.js';
import type { SurveyForDelivery } from '../../store/surveys.js';
import type { StageContext } from '../context.js';

/** Fresh tokens for one email (answer link and opt-out link) and the email built around them. */
export function buildSurveyEmail(ctx: StageContext, s: SurveyForDelivery, def: ConnectorDefinition, kind: 'survey' | 'reminder', expiresAt: Date) {
  const answer = newToken();
  const unsubscribe = newToken();
  const unsubscribeUrl = `${ctx.mail.publicUrl}/u/${unsubscribe.token}`;
  const rendered = renderSurveyEmail({
    locale: s.locale,
    defaultLocale: def.survey.defaultLocale,
    scale: s.scale,
    kind,
    recipientName: s.name,
    ticket: { key: s.ticketKey, title: s.ticketTitle },
    surveyUrl: `${ctx.mail.publicUrl}/s/${answer.token}`,
    unsubscribeUrl,
    expiresAt,
    branding: def.survey.branding,
    // "You said, we did" in the footer, when the connector publishes that page and links it.
    youSaidWeDidUrl: def.analytics.publicYouSaidWeDid && def.analytics.youSaidWeDidInEmail ? `${ctx.mail.publicUrl}/you-said-we-did/${def.id}` : null,
  });
  const email: OutgoingEmail = {
    to: s.email,
    from: { address: def.survey.fromAddress ?? ctx.mail.fromAddress, name: def.survey.fromName ?? ctx.mail.fromName ?? def.survey.branding.organisationName },
    ...(def.survey.replyTo ? { replyTo: def.survey.replyTo } : {}),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    // RFC 8058 one-click opt-out: mail providers POST "List-Unsubscribe=One-Click" to this URL.
    headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    // Ids only: SES event tags must never carry personal data.
    tags: { survey_id: s.id, connector_id: def.id, kind },
  };
  return { email, tokens: [{ hash: answer.hash, purpose: 'answer' as const }, { hash: unsubscribe.hash, purpose: 'unsubscribe' as const }] };
}
