import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashToken, looksLikeToken, type FormSigner } from '../../lib/tokens.js';
import { localeFromAcceptLanguage } from '../../render/locales.js';
import { renderNotFoundPage, renderUnsubscribedPage, renderUnsubscribePage } from '../../render/pages.js';
import { optOut, surveyByToken } from '../../store/responses.js';
import type { SurveyPageDeps } from './survey-pages.js';
import { pageBaseFor, sendPage } from './page-scope.js';

type TokenReq = FastifyRequest<{ Params: { token: string } }>;

/**
 * GET /u/:token asks for confirmation (scanners fetch links); POST opts out at once — both from our
 * confirm form and as the RFC 8058 one-click POST that mail providers send ("List-Unsubscribe=One-Click").
 */
export function registerOptOutPages(scope: FastifyInstance, deps: SurveyPageDeps) {
  async function load(req: TokenReq) {
    if (!looksLikeToken(req.params.token)) return null;
    return surveyByToken(deps.db, hashToken(req.params.token), 'unsubscribe', deps.now());
  }
  const notFound = (req: FastifyRequest) => renderNotFoundPage({ locale: localeFromAcceptLanguage(req.headers['accept-language']), defaultLocale: deps.defaultLocale });
  const base = (connectorId: string, locale: string | null) => pageBaseFor(deps.connectors, connectorId, locale, deps.defaultLocale);

  scope.get('/u/:token', async (req: TokenReq, reply) => {
    const s = await load(req);
    if (!s) return sendPage(reply, 404, notFound(req));
    return sendPage(reply, 200, renderUnsubscribePage({ ...(await base(s.connectorId, s.locale)), formAction: `/u/${req.params.token}`, csrfToken: deps.signer.sign(`optout:${s.surveyId}`) }));
  });

  scope.post('/u/:token', async (req: TokenReq, reply) => {
    const s = await load(req);
    if (!s) return sendPage(reply, 404, notFound(req));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const oneClick = body['List-Unsubscribe'] === 'One-Click';
    // The token in the URL is the capability; the form signature only proves the POST came from our page.
    if (!oneClick && !deps.signer.verify(`optout:${s.surveyId}`, body._csrf)) throw Object.assign(new Error('form expired or forged'), { statusCode: 403 });
    await optOut(deps.db, s.email, s.surveyId);
    deps.logger.info({ surveyId: s.surveyId, oneClick }, 'recipient opted out');
    return sendPage(reply, 200, renderUnsubscribedPage(await base(s.connectorId, s.locale)));
  });
}
