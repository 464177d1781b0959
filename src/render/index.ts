/**
 * Rendering of survey emails and pages from the handlebars templates under templates/.
 * Pure functions: data in, strings out. See templates.ts for how templates are compiled.
 */
export { renderSurveyEmail, SUBJECT_MAX_LENGTH, type RenderedEmail, type SurveyEmailInput } from './email.js';
export {
  COMMENT_MAX_LENGTH,
  renderErrorPage,
  renderNotFoundPage,
  renderSurveyPage,
  renderThanksPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
  type PageBase,
  type SurveyPageInput,
  type ThanksPageInput,
  type UnsubscribePageInput,
} from './pages.js';
export { availableLocales, formatDate, localeFromAcceptLanguage, resolveLocale } from './locales.js';
export { surveyCssPath, templatesDir } from './paths.js';
export { isPreviewName, PREVIEWABLE, renderPreview, type Preview, type PreviewName, type PreviewOptions } from './preview.js';
export { loadTemplates } from './templates.js';
