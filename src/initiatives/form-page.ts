import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { TeamDirectory } from '../analytics/team-directory.js';
import { adminCredentialOk, refuseAdminPage } from '../http/admin-auth.js';
import { DASHBOARD_HEADERS } from '../http/routes/analytics-pages.js';
import { FormSigner } from '../lib/tokens.js';
import { analyticsAssets } from '../render/analytics-assets.js';
import { renderAnalyticsMessage } from '../render/analytics-pages.js';
import { messagesFor } from '../render/locales.js';
import { renderTemplate } from '../render/templates.js';
import { InitiativeService } from './service.js';

/**
 * "Start an initiative from this theme": a form page under the dashboard's access (the admin token as
 * Bearer, or as the Basic password a browser remembers). Because a browser sends remembered Basic
 * credentials with any form, also one another site makes it submit, the POST must carry a signed
 * anti-forgery field that only this page hands out (FormSigner, 24 h). It works without JavaScript.
 */
export interface FormPageDeps {
  db: Db;
  adminToken: string;
  signer: FormSigner;
  now: () => Date;
}

const SUBJECT = 'initiative-form';
type Fields = Record<string, string | undefined>;

const flat = (raw: unknown): Fields => {
  const out: Fields = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
};
const list = (s: string | undefined) => (s ?? '').split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
/** Only our own dashboard URLs are followed back (a query of the dashboard's filter). */
const safeBack = (s: string | undefined) => (s && /^[A-Za-z0-9=&%._~+-]*$/.test(s) ? s.slice(0, 1000) : '');

function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).headers(DASHBOARD_HEADERS).type('text/html; charset=utf-8').send(body);
}

async function renderForm(deps: FormPageDeps, values: Fields, error: string | null): Promise<string> {
  const teams = await new TeamDirectory(deps.db).all();
  const chosen = values.team ?? '';
  return renderTemplate(
    'pages/initiative-form',
    {
      pageTitle: 'Start an improvement initiative',
      noindex: true,
      cssUrl: analyticsAssets().css.url,
      scripts: [],
      fromText: values.themes ? `From the theme “${values.themes}”` : 'From customer feedback',
      error,
      csrf: deps.signer.sign(SUBJECT, deps.now().getTime()),
      back: safeBack(values.back),
      backUrl: `/admin/dashboard${safeBack(values.back) ? `?${safeBack(values.back)}` : ''}`,
      values: {
        title: values.title ?? (values.themes ? `Act on “${values.themes}”` : ''),
        owner: values.owner ?? '',
        themes: values.themes ?? '',
        categories: values.categories ?? '',
        startDate: values.startDate ?? '',
        effectWeeks: values.effectWeeks ?? '6',
        notes: values.notes ?? '',
        publicSummary: values.publicSummary ?? '',
      },
      teams: [
        { value: '', label: 'All teams (systemic)', selected: chosen === '' },
        ...teams.filter((t) => !t.key.endsWith(':')).sort((a, b) => (a.label < b.label ? -1 : 1)).map((t) => ({ value: t.key, label: `${t.label} (${t.key.slice(0, t.key.indexOf(':'))})`, selected: t.key === chosen })),
        ...(chosen && !teams.some((t) => t.key === chosen) ? [{ value: chosen, label: chosen, selected: true }] : []),
      ],
      statuses: [
        { value: 'proposed', label: 'Proposed', selected: (values.status ?? 'proposed') === 'proposed' },
        { value: 'in_progress', label: 'In progress', selected: values.status === 'in_progress' },
      ],
    },
    { messages: messagesFor('en'), locale: 'en' },
  );
}

export function registerInitiativeFormPage(app: FastifyInstance, deps: FormPageDeps) {
  void app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    const guard = (req: FastifyRequest, reply: FastifyReply) => {
      if (adminCredentialOk(req, deps.adminToken)) return true;
      void reply.headers(DASHBOARD_HEADERS);
      void refuseAdminPage(reply, { html: renderAnalyticsMessage({ title: 'Sign in to start an initiative', text: 'This page needs the admin token: enter it as the password (any user name).' }) });
      return false;
    };

    scope.get('/admin/initiatives/new', async (req, reply) => {
      if (!guard(req, reply)) return reply;
      const q = flat(req.query);
      return html(reply, 200, await renderForm(deps, { themes: q.theme, team: q.team, categories: q.category, back: q.back }, null));
    });

    scope.post('/admin/initiatives/new', async (req, reply) => {
      if (!guard(req, reply)) return reply;
      const f = flat(req.body);
      if (!deps.signer.verify(SUBJECT, f._csrf, deps.now().getTime())) {
        return html(reply, 403, renderAnalyticsMessage({ title: 'The form has expired', text: 'This form was not sent from the dashboard’s page, or it is older than a day. Open it again from the dashboard.' }));
      }
      const weeks = f.effectWeeks?.trim() ? Number(f.effectWeeks) : undefined;
      const body = {
        title: f.title ?? '',
        owner: f.owner ?? '',
        team: f.team ? f.team : null,
        status: f.status || 'proposed',
        startDate: f.startDate ? f.startDate : null,
        themes: list(f.themes),
        categories: list(f.categories),
        notes: f.notes ?? '',
        publicSummary: f.publicSummary ?? '',
        ...(weeks === undefined ? {} : { effectWeeks: weeks }),
      };
      try {
        const created = await new InitiativeService(deps.db, deps.now).create(body);
        const back = safeBack(f.back);
        return reply.status(303).header('location', `/admin/dashboard${back ? `?${back}` : ''}#initiative-${created.id}`).headers(DASHBOARD_HEADERS).send();
      } catch (e) {
        const err = e as { statusCode?: number; message?: string };
        if (err.statusCode !== 400) throw e;
        return html(reply, 400, await renderForm(deps, f, err.message ?? 'The form is not valid.'));
      }
    });
  });
}
