import type { Branding } from '../connectors/common-definition.js';
import type { Scale } from '../rules/scales.js';
import { formatDate, interpolate, messagesFor, ratingOptions, resolveLocale, scaleQuestion } from './locales.js';
import { singleLine } from './sanitize.js';
import { renderTemplate } from './templates.js';
import { brandingView, personName, ratingUrl, ticketReference, ticketView } from './view.js';

export interface SurveyEmailInput {
  /** From the ITSM user; may be null, 'de-DE', 'de_DE', 'fr' (→ defaultLocale). */
  locale: string | null;
  /** Connector default. */
  defaultLocale: string;
  scale: Scale;
  kind: 'survey' | 'reminder';
  recipientName: string | null;
  ticket: { key: string | null; title: string | null };
  /** e.g. https://feedback.example.com/s/<token>; the link for rating n is `${surveyUrl}?r=${n}`. */
  surveyUrl: string;
  unsubscribeUrl: string;
  expiresAt: Date;
  branding: Branding;
  /** The connector's public "you said, we did" page, when it links it from the footer (analytics.youSaidWeDidInEmail). */
  youSaidWeDidUrl?: string | null;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The shipped locale actually used (for the Content-Language header and the records). */
  locale: string;
}

export const SUBJECT_MAX_LENGTH = 150;

/** The survey or reminder email: localised subject (single line, capped), HTML and plain-text parts. */
export function renderSurveyEmail(input: SurveyEmailInput): RenderedEmail {
  const locale = resolveLocale(input.locale, input.defaultLocale);
  const messages = messagesFor(locale);
  const branding = brandingView(input.branding);
  const ticket = ticketView(input.ticket);
  const name = personName(input.recipientName);
  const reference = ticketReference(messages, ticket);
  const org = branding.organisationName;
  const expiryDate = formatDate(locale, input.expiresAt);

  const subjects = messages.email.subject;
  const subjectTemplate =
    input.kind === 'reminder'
      ? ticket.key ? subjects.reminder : subjects.reminderNoKey
      : ticket.key ? subjects.survey : subjects.surveyNoKey;
  const subject = singleLine(interpolate(subjectTemplate, { key: ticket.key ?? '' }), SUBJECT_MAX_LENGTH);

  const intros = messages.email.intro;
  const intro =
    input.kind === 'reminder'
      ? reference ? interpolate(intros.reminder, { ticket: reference }) : intros.reminderNoTicket
      : reference ? interpolate(intros.survey, { ticket: reference }) : intros.surveyNoTicket;

  const context = {
    lang: locale,
    kind: input.kind,
    scale: input.scale,
    subject,
    recipientName: name,
    ticket,
    ticketReference: reference,
    greeting: name ? interpolate(messages.email.greeting, { name }) : messages.email.greetingNoName,
    intro,
    question: scaleQuestion(messages, input.scale, org),
    ratings: ratingOptions(messages, input.scale).map((o) => ({ ...o, url: ratingUrl(input.surveyUrl, o.value) })),
    surveyUrl: input.surveyUrl,
    unsubscribeUrl: input.unsubscribeUrl,
    expiryDate,
    footerWhy: ticket.key
      ? interpolate(messages.email.footer.why, { key: ticket.key })
      : interpolate(messages.email.footer.whyNoKey, { org }),
    footerExpiry: interpolate(messages.email.footer.expiry, { date: expiryDate }),
    youSaidWeDidUrl: input.youSaidWeDidUrl ?? null,
    youSaidWeDidLine: messages.youSaidWeDid.emailLine,
    branding,
  };
  const data = { messages, locale };
  return {
    subject,
    html: renderTemplate('email/survey.html', context, data),
    text: renderTemplate('email/survey.text', context, data),
    locale,
  };
}
