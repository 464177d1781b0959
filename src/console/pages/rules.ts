import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { patchDefinition } from '../../connectors/definition-input.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import { apiProblem } from '../admin-api.js';
import type { FormError } from '../connector-form.js';
import { consoleActor, pageContext, type ConsoleCtx } from '../context.js';
import { compare, replay } from '../dry-run/replay.js';
import { loadAnswers, loadReplayInput } from '../dry-run/load.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';
import { noticeOf } from './connectors.js';

type Form = Record<string, unknown>;
type IdReq = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>;
const str = (v: unknown) => (Array.isArray(v) ? String(v[v.length - 1] ?? '') : typeof v === 'string' ? v : '');
const lines = (v: unknown) => str(v).split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * The anti-spam rules, scale, send window and follow-up policy of one connector as a form, and the
 * patch it means: validated by the same code the admin API uses (patchDefinition), saved through PATCH.
 */
export function rulesFormToPatch(form: Form): { patch: Form; errors: FormError[] } {
  const errors: FormError[] = [];
  const num = (path: string) => {
    const raw = str(form[path]).trim();
    if (!/^-?\d+(\.\d+)?$/.test(raw)) {
      errors.push({ path, message: 'must be a number' });
      return undefined;
    }
    return Number(raw);
  };
  const bool = (path: string) => str(form[path]) === 'true';
  const windowOn = bool('rules.sendWindow.enabled');
  const days = [form['rules.sendWindow.days']].flat().filter((d) => typeof d === 'string').map(Number);
  const patch: Form = {
    rules: {
      oncePerTicket: bool('rules.oncePerTicket'),
      cooldownDays: num('rules.cooldownDays'),
      maxSurveysPer30Days: num('rules.maxSurveysPer30Days'),
      samplingPercent: num('rules.samplingPercent'),
      maxClosureAgeHours: num('rules.maxClosureAgeHours'),
      excludeRequesterIsResolver: bool('rules.excludeRequesterIsResolver'),
      exclude: {
        categories: lines(form['rules.exclude.categories']),
        closeCodes: lines(form['rules.exclude.closeCodes']),
        assignmentGroups: lines(form['rules.exclude.assignmentGroups']),
        domains: lines(form['rules.exclude.domains']),
        emails: lines(form['rules.exclude.emails']),
      },
      sendWindow: windowOn ? { days, start: str(form['rules.sendWindow.start']).trim(), end: str(form['rules.sendWindow.end']).trim(), defaultTimeZone: str(form['rules.sendWindow.defaultTimeZone']).trim() || 'UTC' } : null,
    },
    survey: { scale: str(form['survey.scale']) },
    followUp: {
      enabled: bool('followUp.enabled'),
      dueHours: num('followUp.dueHours'),
      detractorMax: { csat: num('followUp.detractorMax.csat'), nps: num('followUp.detractorMax.nps'), ces: num('followUp.detractorMax.ces') },
    },
  };
  return { patch, errors };
}

function formValues(def: ConnectorDefinition, form?: Form) {
  const r = def.rules;
  if (form) {
    const v = (p: string) => str(form[p]);
    const checked = (p: string) => str(form[p]) === 'true';
    const days = [form['rules.sendWindow.days']].flat().map(String);
    return {
      oncePerTicket: checked('rules.oncePerTicket'), cooldownDays: v('rules.cooldownDays'), maxSurveysPer30Days: v('rules.maxSurveysPer30Days'), samplingPercent: v('rules.samplingPercent'), maxClosureAgeHours: v('rules.maxClosureAgeHours'),
      excludeRequesterIsResolver: checked('rules.excludeRequesterIsResolver'), categories: v('rules.exclude.categories'), closeCodes: v('rules.exclude.closeCodes'), assignmentGroups: v('rules.exclude.assignmentGroups'), domains: v('rules.exclude.domains'), emails: v('rules.exclude.emails'),
      windowOn: checked('rules.sendWindow.enabled'), weekdays: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label, checked: days.includes(String(i + 1)) })), start: v('rules.sendWindow.start'), end: v('rules.sendWindow.end'), tz: v('rules.sendWindow.defaultTimeZone'),
      scale: v('survey.scale'), followUpEnabled: checked('followUp.enabled'), dueHours: v('followUp.dueHours'), csat: v('followUp.detractorMax.csat'), nps: v('followUp.detractorMax.nps'), ces: v('followUp.detractorMax.ces'), days: v('days') || '30',
    };
  }
  return {
    oncePerTicket: r.oncePerTicket, cooldownDays: String(r.cooldownDays), maxSurveysPer30Days: String(r.maxSurveysPer30Days), samplingPercent: String(r.samplingPercent), maxClosureAgeHours: String(r.maxClosureAgeHours),
    excludeRequesterIsResolver: r.excludeRequesterIsResolver, categories: r.exclude.categories.join('\n'), closeCodes: r.exclude.closeCodes.join('\n'), assignmentGroups: r.exclude.assignmentGroups.join('\n'), domains: r.exclude.domains.join('\n'), emails: r.exclude.emails.join('\n'),
    windowOn: r.sendWindow !== null, weekdays: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label, checked: r.sendWindow ? r.sendWindow.days.includes(i + 1) : i < 5 })), start: r.sendWindow?.start ?? '09:00', end: r.sendWindow?.end ?? '17:00', tz: r.sendWindow?.defaultTimeZone ?? 'UTC',
    scale: def.survey.scale, followUpEnabled: def.followUp.enabled, dueHours: String(def.followUp.dueHours), csat: String(def.followUp.detractorMax.csat), nps: String(def.followUp.detractorMax.nps), ces: String(def.followUp.detractorMax.ces), days: '30',
  };
}

export function registerRulesPages(scope: FastifyInstance, ctx: ConsoleCtx) {
  const mustGet = async (id: string) => {
    const def = /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? await ctx.connectors.get(id) : null;
    if (!def) throw Object.assign(new Error(`There is no connector "${id.slice(0, 63)}".`), { statusCode: 404 });
    return def;
  };
  const page = async (req: FastifyRequest, reply: FastifyReply, status: number, def: ConnectorDefinition, o: { form?: Form; errors?: FormError[]; message?: string; dryRun?: unknown }) => {
    const errors = new Map((o.errors ?? []).map((e) => [e.path, e.message]));
    const err = (prefix: string) => [...errors].filter(([p]) => p === prefix || p.startsWith(`${prefix}.`)).map(([, m]) => m).join('; ') || null;
    const fieldErrors = Object.fromEntries(
      ['rules.oncePerTicket', 'rules.cooldownDays', 'rules.maxSurveysPer30Days', 'rules.samplingPercent', 'rules.maxClosureAgeHours', 'rules.exclude.categories', 'rules.exclude.closeCodes', 'rules.exclude.assignmentGroups', 'rules.exclude.domains', 'rules.exclude.emails', 'rules.sendWindow.days', 'rules.sendWindow.start', 'rules.sendWindow.end', 'rules.sendWindow.defaultTimeZone', 'survey.scale', 'followUp.dueHours', 'followUp.detractorMax.csat', 'followUp.detractorMax.nps', 'followUp.detractorMax.ces'].map((p) => [p.replace(/\./g, '_'), err(p)]),
    );
    const known = new Set(Object.keys(fieldErrors).map((k) => k.replace(/_/g, '.')));
    const other = (o.errors ?? []).filter((e) => ![...known].some((k) => e.path === k || e.path.startsWith(`${k}.`)));
    return html(reply, status, renderConsole('rules', await pageContext(ctx, req, 'connectors', `Rules: ${def.name}`, { c: { id: def.id, name: def.name }, v: formValues(def, o.form), e: fieldErrors, errorList: o.errors ?? [], other, message: o.message, dryRun: o.dryRun, notice: noticeOf((req.query ?? {}) as Record<string, string>) })));
  };

  scope.get('/admin/console/connectors/:id/rules', async (req: IdReq, reply) => page(req, reply, 200, await mustGet(req.params.id), {}));

  scope.post('/admin/console/connectors/:id/rules', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const form = (req.body ?? {}) as Form;
    const { patch, errors } = rulesFormToPatch(form);
    if (errors.length) return page(req, reply, 400, def, { form, errors, message: 'Some fields need fixing.' });
    if (str(form.intent) === 'save') {
      const r = await ctx.api.call(consoleActor(req).name, 'PATCH', `/admin/connectors/${encodeURIComponent(def.id)}`, patch);
      if (r.status === 200) return reply.redirect(`/admin/console/connectors/${encodeURIComponent(def.id)}/rules?notice=${r.body.action === 'unchanged' ? 'unchanged' : 'rules-saved'}`, 303);
      const p = apiProblem(r);
      return page(req, reply, 400, def, { form, errors: p.issues, message: p.issues.length ? 'Some fields need fixing.' : p.message });
    }
    // Dry run: the same validation the API applies, then the stored closures replayed with both rule sets.
    const proposed = patchDefinition(patch, def);
    if (!proposed.ok) return page(req, reply, 400, def, { form, errors: proposed.issues, message: 'Some fields need fixing.' });
    const days = str(form.days) === '7' ? 7 : 30;
    const now = ctx.now();
    const input = await loadReplayInput(ctx.db, def.id, days, now, Math.max(def.rules.cooldownDays, proposed.def.rules.cooldownDays));
    const result = compare(replay(input, def.rules), replay(input, proposed.def.rules));
    const answers = await loadAnswers(ctx.db, def.id, days, now);
    const detractors = (max: ConnectorDefinition['followUp']['detractorMax'], enabled: boolean) => (enabled ? answers.filter((a) => a.score <= max[a.scale]).length : 0);
    const followUps = { answers: answers.length, before: detractors(def.followUp.detractorMax, def.followUp.enabled), after: detractors(proposed.def.followUp.detractorMax, proposed.def.followUp.enabled) };
    return page(req, reply, 200, def, { form, dryRun: { days, ...result, followUps: { ...followUps, change: followUps.after - followUps.before } } });
  });
}
