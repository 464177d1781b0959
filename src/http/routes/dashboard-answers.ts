import type { FastifyInstance } from 'fastify';
import type { AnswerList } from '../../analytics/dashboard/answers.js';
import { isAbortError } from '../../analytics/reader.js';
import { renderAnalyticsMessage } from '../../render/analytics-pages.js';
import { renderAnswerList } from '../../render/dashboard-answers.js';
import { adminCredentialOk, refuseAdminPage } from '../admin-auth.js';
import { clientGone } from '../client-gone.js';
import { DASHBOARD_HEADERS, failurePage, flatQuery, html } from './analytics-pages.js';

/** The dashboard's drill-down page, GET /admin/dashboard/answers (admin token as Bearer or Basic password), like the dashboard itself. */
export function registerDashboardAnswers(app: FastifyInstance, deps: { adminToken: string; loadAnswers(query: Record<string, string | undefined>, signal?: AbortSignal): Promise<AnswerList> }) {
  app.get('/admin/dashboard/answers', async (req, reply) => {
    if (!adminCredentialOk(req, deps.adminToken)) {
      void reply.headers({ ...DASHBOARD_HEADERS });
      return refuseAdminPage(reply, { html: renderAnalyticsMessage({ title: 'Sign in to see the answers', text: 'The dashboard needs the admin token: enter it as the password (any user name).' }) });
    }
    try {
      return html(reply, 200, DASHBOARD_HEADERS, renderAnswerList(await deps.loadAnswers(flatQuery(req), clientGone(reply))));
    } catch (err) {
      if (isAbortError(err)) {
        reply.hijack();
        if (!reply.raw.destroyed) reply.raw.destroy();
        return reply;
      }
      return failurePage(req, reply, err, true);
    }
  });
}
