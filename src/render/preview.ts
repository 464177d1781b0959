import type { Branding } from '../connectors/common-definition.js';
import { SCALES, type Scale } from '../rules/scales.js';
import { renderSurveyEmail, type SurveyEmailInput } from './email.js';
import {
  renderNotFoundPage,
  renderSurveyPage,
  renderThanksPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
} from './pages.js';

/** What an operator can preview (admin API), rendered with realistic sample data. */
export const PREVIEWABLE = [
  'survey-email-html',
  'survey-email-text',
  'reminder-email-html',
  'survey-page',
  'thanks-page',
  'unsubscribe-page',
  'unsubscribed-page',
  'not-found-page',
] as const;
export type PreviewName = (typeof PREVIEWABLE)[number];

export interface PreviewOptions {
  locale: string;
  scale: Scale;
  branding: Branding;
}

export interface Preview {
  contentType: 'text/html; charset=utf-8' | 'text/plain; charset=utf-8';
  body: string;
  subject?: string;
}

const HTML = 'text/html; charset=utf-8' as const;
const TEXT = 'text/plain; charset=utf-8' as const;

const BASE_URL = 'https://feedback.example.com';
const SAMPLE_TOKEN = 'preview-0000000000000000000000000000000000000';
const SAMPLE_EXPIRES_AT = new Date('2025-03-29T12:00:00Z');
const SAMPLE_TICKET = { key: 'INC0012345', title: 'Laptop does not start' };

export function isPreviewName(name: string): name is PreviewName {
  return (PREVIEWABLE as readonly string[]).includes(name);
}

function sampleEmail(kind: SurveyEmailInput['kind'], opts: PreviewOptions): SurveyEmailInput {
  return {
    locale: opts.locale,
    defaultLocale: opts.locale,
    scale: opts.scale,
    kind,
    recipientName: 'Alex Example',
    ticket: SAMPLE_TICKET,
    surveyUrl: `${BASE_URL}/s/${SAMPLE_TOKEN}`,
    unsubscribeUrl: `${BASE_URL}/u/${SAMPLE_TOKEN}`,
    expiresAt: SAMPLE_EXPIRES_AT,
    branding: opts.branding,
  };
}

/** Renders one previewable template; an unknown name throws. */
export function renderPreview(name: PreviewName, opts: PreviewOptions): Preview {
  const page = { locale: opts.locale, defaultLocale: opts.locale, branding: opts.branding };
  const { min, max } = SCALES[opts.scale];
  const sampleScore = max - Math.floor((max - min) / 4);
  switch (name) {
    case 'survey-email-html':
    case 'reminder-email-html': {
      const email = renderSurveyEmail(sampleEmail(name === 'survey-email-html' ? 'survey' : 'reminder', opts));
      return { contentType: HTML, body: email.html, subject: email.subject };
    }
    case 'survey-email-text': {
      const email = renderSurveyEmail(sampleEmail('survey', opts));
      return { contentType: TEXT, body: email.text, subject: email.subject };
    }
    case 'survey-page':
      return {
        contentType: HTML,
        body: renderSurveyPage({
          ...page,
          scale: opts.scale,
          selected: sampleScore,
          ticket: SAMPLE_TICKET,
          formAction: `/s/${SAMPLE_TOKEN}`,
          csrfToken: 'preview-csrf-token',
          comment: null,
          expiresAt: SAMPLE_EXPIRES_AT,
          answeredBefore: false,
        }),
      };
    case 'thanks-page':
      return {
        contentType: HTML,
        body: renderThanksPage({
          ...page,
          scale: opts.scale,
          score: sampleScore,
          changeUrl: `/s/${SAMPLE_TOKEN}`,
          expiresAt: SAMPLE_EXPIRES_AT,
        }),
      };
    case 'unsubscribe-page':
      return {
        contentType: HTML,
        body: renderUnsubscribePage({ ...page, formAction: `/u/${SAMPLE_TOKEN}`, csrfToken: 'preview-csrf-token' }),
      };
    case 'unsubscribed-page':
      return { contentType: HTML, body: renderUnsubscribedPage(page) };
    case 'not-found-page':
      return { contentType: HTML, body: renderNotFoundPage(page) };
    default: {
      const unknown: never = name;
      throw new Error(`unknown preview ${String(unknown)}`);
    }
  }
}
