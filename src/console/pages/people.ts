import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErasureResult, PersonData } from '../../people/person-data.js';
import { normaliseEmail } from '../../rules/email.js';
import { apiProblem } from '../admin-api.js';
import { consoleActor, pageContext, type ConsoleCtx } from '../context.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const NOTICES: Record<string, string> = { lifted: 'Suppression lifted: this address can be surveyed again.', suppressed: 'Added to the do-not-survey list (suppression, reason manual): no connector surveys this address.' };

/** Find a person by email; lift a suppression, add one, export or erase their data — all through the admin API. */
export function registerPeoplePages(scope: FastifyInstance, ctx: ConsoleCtx) {
  const show = async (req: FastifyRequest, reply: FastifyReply, status: number, email: string, extra: { error?: string; erased?: ErasureResult; notice?: string } = {}) => {
    let data: PersonData | null = null;
    let error = extra.error;
    if (email) {
      const r = await ctx.api.call<PersonData>(consoleActor(req).name, 'GET', `/admin/people?email=${encodeURIComponent(email)}`);
      if (r.status === 200) data = r.body;
      else error ??= apiProblem(r).message;
    }
    const active = data?.suppressions.find((s) => !s.liftedAt) ?? null;
    return html(reply, status, renderConsole('people', await pageContext(ctx, req, 'people', 'People and suppressions', { email, normalised: normaliseEmail(email), data, active, found: !!data && (!!data.person || data.suppressions.length > 0), error, erased: extra.erased, notice: extra.notice })));
  };

  scope.get<{ Querystring: { email?: string; notice?: string } }>('/admin/console/people', async (req, reply) => show(req, reply, 200, str(req.query.email), { notice: req.query.notice ? NOTICES[req.query.notice] : undefined }));

  const back = (email: string, notice: string) => `/admin/console/people?email=${encodeURIComponent(email)}&notice=${notice}`;

  scope.post('/admin/console/people/lift', async (req, reply) => {
    const email = str((req.body as Form).email);
    const r = await ctx.api.call(consoleActor(req).name, 'DELETE', `/admin/suppressions/${encodeURIComponent(email)}`);
    if (r.status !== 204) return show(req, reply, 400, email, { error: apiProblem(r).message });
    return reply.redirect(back(email, 'lifted'), 303);
  });

  scope.post('/admin/console/people/suppress', async (req, reply) => {
    const b = req.body as Form;
    const email = str(b.email);
    const note = str(b.note);
    const r = await ctx.api.call(consoleActor(req).name, 'POST', '/admin/suppressions', { email, ...(note ? { note: note.slice(0, 200) } : {}) });
    if (r.status !== 201) return show(req, reply, 400, email, { error: apiProblem(r).message });
    return reply.redirect(back(email, 'suppressed'), 303);
  });

  scope.post('/admin/console/people/export', async (req, reply) => {
    const email = str((req.body as Form).email);
    const r = await ctx.api.call(consoleActor(req).name, 'GET', `/admin/people/export?email=${encodeURIComponent(email)}`);
    if (r.status !== 200) return show(req, reply, 400, email, { error: apiProblem(r).message });
    return reply.type('application/json; charset=utf-8').header('content-disposition', 'attachment; filename="person-export.json"').send(JSON.stringify(r.body, null, 2));
  });

  scope.post('/admin/console/people/erase', async (req, reply) => {
    const b = req.body as Form;
    const email = str(b.email);
    if (normaliseEmail(email) === null || str(b.confirm).toLowerCase() !== normaliseEmail(email)) return show(req, reply, 400, email, { error: 'To erase, type the address again in the confirmation field.' });
    const r = await ctx.api.call<ErasureResult>(consoleActor(req).name, 'POST', '/admin/people/erase', { email });
    if (r.status !== 200) return show(req, reply, 400, email, { error: apiProblem(r).message });
    return show(req, reply, 200, email, { erased: r.body });
  });
}
