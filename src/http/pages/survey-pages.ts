import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RedisClient } from '../../redis/factory.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { hashToken, looksLikeToken, type FormSigner } from '../../lib/tokens.js';
import { marker } from '../../lib/markers.js';
import { localeFromAcceptLanguage } from '../../render/locales.js';
import { renderNotFoundPage, renderSurveyPage, renderThanksPage } from '../../render/pages.js';
import { botSignals } from '../../rules/bot-signals.js';
import { isValidScore } from '../../rules/scales.js';
import { isDimension, type Dimension } from '../../rules/dimensions.js';
import type { ConnectorStore } from '../../store/connectors.js';
import { recordAnswer, surveyByToken, type TokenSurvey } from '../../store/responses.js';
import { pageBaseFor, sendPage } from './page-scope.js';
import { tokenOverLimit } from './token-limit.js';

export interface SurveyPageDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  connectors: ConnectorStore;
  signer: FormSigner;
  logger: Logger;
  secret: Buffer;
  defaultLocale: string;
  tokenPerMinute: number;
  botMinSecondsAfterSend: number;
  now: () => Date;
  /** Called after an answer became active (the write-back stage hooks in here). */
  onAnswer?: (a: { surveyId: string; connectorId: string; responseId: string }) => Promise<void>;
}

type TokenReq = FastifyRequest<{ Params: { token: string }; Querystring: { r?: string } }>;
const COMMENT_MAX = 2000;

/**
 * GET shows the form (a rating link preselects its score) and never writes — mail scanners fetch
 * every link. Only the POST from the form records an answer; the customer may change it until the
 * survey expires (the latest stands, history is kept). Unknown and expired tokens get the same 404.
 */
export function registerSurveyPages(scope: FastifyInstance, deps: SurveyPageDeps) {
  const notFound = (req: FastifyRequest) => renderNotFoundPage({ locale: localeFromAcceptLanguage(req.headers['accept-language']), defaultLocale: deps.defaultLocale });

  async function load(req: TokenReq, drawResponseId = false): Promise<{ survey: TokenSurvey & { nextResponseId: string | null }; hash: Buffer } | null> {
    const { token } = req.params;
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    const survey = await surveyByToken(deps.db, hash, 'answer', deps.now(), { drawResponseId });
    return survey ? { survey, hash } : null;
  }

  const pageBase = (s: TokenSurvey) => pageBaseFor(deps.connectors, s.connectorId, s.locale, deps.defaultLocale);

  /** Whether this survey's page asks "what mattered most?" (the connector's survey.askWhatMattered). */
  const asksWhatMattered = async (s: TokenSurvey) => (await deps.connectors.get(s.connectorId))?.survey.askWhatMattered === true;

  async function form(
    token: string,
    survey: TokenSurvey,
    f: { selected: number | null; comment: string | null; answeredBefore: boolean; whatMattered: Dimension | null; error?: 'choose_rating' | 'comment_too_long' | 'what_mattered_invalid' },
  ) {
    const { whatMattered, ...rest } = f;
    return renderSurveyPage({
      ...(await pageBase(survey)),
      ...rest,
      whatMattered: (await asksWhatMattered(survey)) ? { selected: whatMattered } : null,
      scale: survey.scale,
      ticket: { key: survey.ticketKey, title: survey.ticketTitle },
      formAction: `/s/${token}`,
      csrfToken: deps.signer.sign(`answer:${survey.surveyId}`),
      expiresAt: survey.expiresAt!,
    });
  }

  scope.get('/s/:token', async (req: TokenReq, reply) => {
    const found = await load(req);
    if (!found) return sendPage(reply, 404, notFound(req));
    const { survey } = found;
    const current = survey.answer;
    const requested = req.query.r === undefined ? null : Number(req.query.r);
    const selected = requested !== null && isValidScore(survey.scale, requested) ? requested : (current?.score ?? null);
    return sendPage(reply, 200, await form(req.params.token, survey, { selected, comment: current?.comment ?? null, answeredBefore: current !== null, whatMattered: current?.whatMattered ?? null }));
  });

  scope.post('/s/:token', async (req: TokenReq, reply) => {
    const found = await load(req, true);
    if (!found) return sendPage(reply, 404, notFound(req));
    const { survey, hash } = found;
    if (await tokenOverLimit(deps.redis, deps.prefix, hash, deps.tokenPerMinute)) throw Object.assign(new Error('too many requests'), { statusCode: 429 });
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!deps.signer.verify(`answer:${survey.surveyId}`, body._csrf)) throw Object.assign(new Error('form expired or forged'), { statusCode: 403 });

    const score = typeof body.score === 'string' && /^\d{1,2}$/.test(body.score) ? Number(body.score) : NaN;
    const comment = typeof body.comment === 'string' ? body.comment.replace(/\r\n/g, '\n').trim() : '';
    // The second question is only read where the page asks it; an answer that is not one of the
    // choices (a tampered form) is refused like a missing rating, never stored.
    const asked = await asksWhatMattered(survey);
    const rawDimension = asked && typeof body.whatMattered === 'string' && body.whatMattered !== '' ? body.whatMattered : null;
    const whatMattered = isDimension(rawDimension) ? rawDimension : null;
    const error = !isValidScore(survey.scale, score)
      ? 'choose_rating'
      : comment.length > COMMENT_MAX
        ? 'comment_too_long'
        : rawDimension !== null && whatMattered === null
          ? 'what_mattered_invalid'
          : null;
    if (error) {
      const answeredBefore = survey.answer !== null;
      const selected = isValidScore(survey.scale, score) ? score : null;
      return sendPage(reply, 400, await form(req.params.token, survey, { selected, comment: comment.slice(0, COMMENT_MAX) || null, answeredBefore, whatMattered, error }));
    }

    const userAgent = req.headers['user-agent'] ?? null;
    const secondsSinceSent = survey.sentAt ? Math.floor((deps.now().getTime() - survey.sentAt.getTime()) / 1000) : null;
    const flagReasons = botSignals({ honeypot: typeof body.website === 'string' ? body.website : null, userAgent, secondsSinceSent, minSecondsAfterSend: deps.botMinSecondsAfterSend });
    const nextResponseId = survey.nextResponseId!; // drawn by load(req, true)
    const { responseId, active } = await recordAnswer(deps.db, survey.surveyId, nextResponseId, {
      score,
      comment: comment || null,
      flagReasons,
      userAgent,
      clientIpHash: createHmac('sha256', deps.secret).update(`ip:${req.ip}`).digest('hex').slice(0, 32),
      secondsSinceSent,
      whatMattered,
    }, marker(deps.secret, 'A', nextResponseId));
    if (active) await deps.onAnswer?.({ surveyId: survey.surveyId, connectorId: survey.connectorId, responseId }).catch((err) => deps.logger.warn({ err, responseId }, 'write-back enqueue failed; the reconciler will retry'));
    else deps.logger.warn({ surveyId: survey.surveyId, responseId, flagReasons }, 'answer flagged as a likely bot; kept but not active');
    // Post/redirect/get: a reload of the thank-you page does not submit again.
    return reply.redirect(`/s/${req.params.token}/thanks?r=${score}`, 303);
  });

  scope.get('/s/:token/thanks', async (req: TokenReq, reply) => {
    const found = await load(req);
    if (!found) return sendPage(reply, 404, notFound(req));
    const { survey } = found;
    const r = Number(req.query.r);
    const score = isValidScore(survey.scale, r) ? r : (survey.answer?.score ?? null);
    if (score === null) return reply.redirect(`/s/${req.params.token}`, 303);
    return sendPage(reply, 200, renderThanksPage({ ...(await pageBase(survey)), scale: survey.scale, score, changeUrl: `/s/${req.params.token}`, expiresAt: survey.expiresAt! }));
  });
}
