import type { Branding } from '../connectors/common-definition.js';
import { isValidScore, type Scale } from '../rules/scales.js';
import { DIMENSIONS, type Dimension } from '../rules/dimensions.js';
import {
  formatDate,
  interpolate,
  localeFromAcceptLanguage,
  type Messages,
  messagesFor,
  ratingOptions,
  resolveLocale,
  scaleQuestion,
} from './locales.js';
import { renderTemplate, type TemplateName } from './templates.js';
import { brandingView, ticketReference, ticketView } from './view.js';

export { localeFromAcceptLanguage };
export { surveyCssPath } from './paths.js';

/** The comment box's limit; the route enforces the same number. */
export const COMMENT_MAX_LENGTH = 2000;

export interface PageBase {
  /** A language tag (`de-DE`) or an Accept-Language header value (`de-DE,de;q=0.9,en;q=0.8`). */
  locale: string | null;
  defaultLocale: string;
  branding: Branding;
}

export interface SurveyPageInput extends PageBase {
  scale: Scale;
  /** Preselected value (from `?r=` or the stored answer); invalid values preselect nothing. */
  selected: number | null;
  ticket: { key: string | null; title: string | null };
  formAction: string;
  csrfToken: string;
  comment: string | null;
  expiresAt: Date;
  answeredBefore: boolean;
  error?: 'choose_rating' | 'comment_too_long' | 'what_mattered_invalid';
  /** The optional "what mattered most?" question (survey.askWhatMattered), with the answer to preselect. */
  whatMattered?: { selected: Dimension | null } | null;
}

export interface ThanksPageInput extends PageBase {
  scale: Scale;
  score: number;
  changeUrl: string;
  expiresAt: Date;
}

export interface UnsubscribePageInput extends PageBase {
  formAction: string;
  csrfToken: string;
}

function pageLocale(requested: string | null, defaultLocale: string): string {
  return localeFromAcceptLanguage(requested ?? undefined) ?? resolveLocale(null, defaultLocale);
}

function render(name: TemplateName, locale: string, context: object): string {
  return renderTemplate(name, context, { messages: messagesFor(locale), locale });
}

function branded(p: PageBase, titleOf: (messages: Messages) => string) {
  const locale = pageLocale(p.locale, p.defaultLocale);
  const messages = messagesFor(locale);
  const branding = brandingView(p.branding);
  const org = branding.organisationName;
  return {
    locale,
    messages,
    org,
    base: {
      lang: locale,
      pageTitle: `${titleOf(messages)} – ${org}`,
      orgName: org,
      footer: interpolate(messages.page.footer, { org }),
    },
  };
}

export function renderSurveyPage(p: SurveyPageInput): string {
  const { locale, messages, org, base } = branded(p, (m) => m.page.survey.title);
  const ticket = ticketView(p.ticket);
  const reference = ticketReference(messages, ticket);
  const expiryDate = formatDate(locale, p.expiresAt);
  const selected = isValidScore(p.scale, p.selected) ? p.selected : null;
  const errors = messages.page.survey.errors;
  return render('pages/survey', locale, {
    ...base,
    scale: p.scale,
    ticket,
    ticketLine: reference ? interpolate(messages.page.survey.ticket, { ticket: reference }) : null,
    error:
      p.error === 'choose_rating'
        ? errors.choose_rating
        : p.error === 'comment_too_long'
          ? interpolate(errors.comment_too_long, { max: COMMENT_MAX_LENGTH })
          : p.error === 'what_mattered_invalid'
            ? errors.what_mattered_invalid
            : null,
    ratingError: p.error === 'choose_rating',
    commentError: p.error === 'comment_too_long',
    whatMatteredError: p.error === 'what_mattered_invalid',
    whatMattered: p.whatMattered
      ? {
          legend: messages.page.survey.whatMattered.legend,
          hint: messages.page.survey.whatMattered.hint,
          options: DIMENSIONS.map((d) => ({ value: d, id: `wm-${d}`, label: messages.page.survey.whatMattered.options[d], checked: d === p.whatMattered!.selected })),
        }
      : null,
    answeredBeforeText: p.answeredBefore ? interpolate(messages.page.survey.answeredBefore, { date: expiryDate }) : null,
    formAction: p.formAction,
    csrfToken: p.csrfToken,
    question: scaleQuestion(messages, p.scale, org),
    ratings: ratingOptions(messages, p.scale).map((o) => ({ ...o, id: `score-${o.value}`, checked: o.value === selected })),
    comment: p.comment ?? '',
    commentMaxLength: COMMENT_MAX_LENGTH,
    expiryDate,
    expiryText: interpolate(messages.page.survey.expiry, { date: expiryDate }),
  });
}

export function renderThanksPage(p: ThanksPageInput): string {
  const { locale, messages, base } = branded(p, (m) => m.page.thanks.title);
  const expiryDate = formatDate(locale, p.expiresAt);
  const option = ratingOptions(messages, p.scale).find((o) => o.value === p.score);
  return render('pages/thanks', locale, {
    ...base,
    scale: p.scale,
    score: p.score,
    answerText: interpolate(messages.page.thanks.yourAnswer, { answer: option?.text ?? String(p.score) }),
    changeText: interpolate(messages.page.thanks.change, { date: expiryDate }),
    changeUrl: p.changeUrl,
    expiryDate,
  });
}

export function renderUnsubscribePage(p: UnsubscribePageInput): string {
  const { locale, base } = branded(p, (m) => m.page.unsubscribe.title);
  return render('pages/unsubscribe', locale, { ...base, formAction: p.formAction, csrfToken: p.csrfToken });
}

export function renderUnsubscribedPage(p: PageBase): string {
  const { locale, base } = branded(p, (m) => m.page.unsubscribed.title);
  return render('pages/unsubscribed', locale, base);
}

/** The same page for unknown and expired tokens: no branding, no details. */
export function renderNotFoundPage(p: { locale: string | null; defaultLocale: string }): string {
  const locale = pageLocale(p.locale, p.defaultLocale);
  const messages = messagesFor(locale);
  return render('pages/not-found', locale, {
    lang: locale,
    pageTitle: messages.page.notFound.title,
    orgName: null,
    footer: null,
  });
}

export function renderErrorPage(p: {
  locale: string | null;
  defaultLocale: string;
  message: 'too_many_requests' | 'bad_request' | 'too_large';
  /** With too_large: the route's body limit in bytes (stated on the page). */
  limitBytes?: number;
}): string {
  const locale = pageLocale(p.locale, p.defaultLocale);
  const errors = messagesFor(locale).page.errors;
  const chosen = p.message === 'too_large' ? (errors.too_large ?? errors.bad_request) : errors[p.message];
  const text = { title: chosen.title, text: interpolate(chosen.text, { limit: String(Math.floor((p.limitBytes ?? 0) / 1024)) }) };
  return render('pages/error', locale, {
    lang: locale,
    pageTitle: text.title,
    orgName: null,
    footer: null,
    heading: text.title,
    text: text.text,
  });
}
