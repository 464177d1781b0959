import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import { renderSurveyEmail } from '../../render/email.js';
import { renderFeedbackNote, renderFollowUpTask } from '../../render/itsm.js';
import { docToText } from '../../render/itsm-doc.js';
import { availableLocales } from '../../render/locales.js';
import { renderSurveyPage } from '../../render/pages.js';
import { SCALES } from '../../rules/scales.js';
import { pageContext, type ConsoleCtx } from '../context.js';
import { localeReport } from '../locale-report.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';

type Q = { connector?: string; locale?: string; ticket?: string; view?: string };

/** The template files behind each preview: what an operator edits (handlebars; strings in the locale files). */
const FILES = {
  emailHtml: 'templates/email/survey.html.hbs',
  emailText: 'templates/email/survey.text.hbs',
  page: 'templates/pages/survey.hbs (layout: templates/pages/partials/layout.hbs, styles: templates/pages/survey.css)',
  note: 'templates/itsm/feedback-note.text.hbs',
  task: 'templates/itsm/follow-up-task.text.hbs',
};

/** Only inline styles (e-mail HTML needs them) in a sandboxed frame without scripts; images from 'self' only. */
const FRAME_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox";

interface TicketSample {
  id: string;
  key: string | null;
  title: string | null;
  customer: string | null;
  score: number | null;
  comment: string | null;
  answeredAt: Date | null;
  externalId: string;
}

/**
 * Previews of everything a customer or an agent reads — the survey email (HTML and text), the survey
 * page, the work note and the follow-up task — rendered with a real recent ticket of the connector (its
 * key, title, requester's name and latest answer), in each shipped language. No survey link is minted:
 * the links in the previews go nowhere.
 */
export function registerTemplatePages(scope: FastifyInstance, ctx: ConsoleCtx) {
  const recentTickets = async (connectorId: string): Promise<TicketSample[]> =>
    (
      await sql<TicketSample>`
        SELECT t.id::text AS id, t.external_key AS key, t.title, p.display_name AS customer, t.external_id AS "externalId",
               r.score, r.comment, r.submitted_at AS "answeredAt"
        FROM (SELECT c.ticket_id, max(c.closed_at) AS closed_at FROM closures c JOIN tickets tt ON tt.id = c.ticket_id
              WHERE tt.connector_id = ${connectorId} GROUP BY c.ticket_id ORDER BY max(c.closed_at) DESC LIMIT 20) AS last
        JOIN tickets t ON t.id = last.ticket_id
        LEFT JOIN people p ON p.id = t.requester_person_id
        LEFT JOIN LATERAL (SELECT r.score, r.comment, r.submitted_at FROM surveys s JOIN responses r ON r.survey_id = s.id AND r.is_active
                           WHERE s.ticket_id = t.id ORDER BY r.submitted_at DESC LIMIT 1) r ON true
        ORDER BY last.closed_at DESC`.execute(ctx.db)
    ).rows;

  const resolve = async (q: Q) => {
    const defs = await ctx.connectors.list();
    const def = defs.find((d) => d.id === q.connector) ?? defs[0] ?? null;
    const locales = availableLocales();
    const locale = locales.includes(q.locale ?? '') ? q.locale! : (def?.survey.defaultLocale && locales.includes(def.survey.defaultLocale) ? def.survey.defaultLocale : 'en');
    const tickets = def ? await recentTickets(def.id) : [];
    const ticket = tickets.find((t) => t.id === q.ticket) ?? tickets[0] ?? null;
    return { defs, def, locales, locale, tickets, ticket };
  };

  const previews = (def: ConnectorDefinition, locale: string, t: TicketSample | null) => {
    const scale = def.survey.scale;
    const { max } = SCALES[scale];
    const sampleToken = 'preview-no-real-link-0000000000000000000000';
    const ticket = { key: t?.key ?? 'INC0012345', title: t?.title ?? 'Laptop does not start' };
    const email = renderSurveyEmail({ locale, defaultLocale: def.survey.defaultLocale, scale, kind: 'survey', recipientName: t?.customer ?? 'Alex Example', ticket, surveyUrl: `${ctx.publicUrl}/s/${sampleToken}`, unsubscribeUrl: `${ctx.publicUrl}/u/${sampleToken}`, expiresAt: new Date(ctx.now().getTime() + def.survey.expiryDays * 86_400_000), branding: def.survey.branding });
    const score = t?.score ?? Math.max(SCALES[scale].min, Math.min(max, def.followUp.detractorMax[scale]));
    const comment = t?.score !== null && t?.score !== undefined ? t.comment : 'It took three calls to get this fixed.';
    const answeredAt = t?.answeredAt ?? ctx.now();
    const connector = ctx.runtime.for(def);
    const dueAt = new Date(answeredAt.getTime() + def.followUp.dueHours * 3_600_000);
    const detractor = score <= def.followUp.detractorMax[scale];
    // As plain text: each connector writes the customer's parts escaped for its target (ServiceNow journal,
    // Jira ADF or wiki markup); the page shows them as text either way.
    const note = docToText(renderFeedbackNote({ scale, score, comment: comment ?? null, customer: t?.customer ?? 'Alex Example', answeredAt, answerUrl: `${ctx.publicUrl}/answers/preview/preview`, marker: 'Ref FB-A0-preview', previousScore: null, detractor, taskDueAt: detractor && def.followUp.enabled ? dueAt : null }));
    const taskDoc = renderFollowUpTask({ scale, score, comment: comment ?? null, customer: t?.customer ?? 'Alex Example', answeredAt, answerUrl: `${ctx.publicUrl}/answers/preview/preview`, ticketUrl: connector.ticketUrl(t?.externalId ?? 'preview', ticket.key), ticketKey: ticket.key, ticketTitle: ticket.title, dueAt, dueHours: def.followUp.dueHours, marker: 'Ref FB-F0-preview', outcomeCodes: def.followUp.outcomeCodes });
    const task = { title: taskDoc.title, description: docToText(taskDoc.description) };
    const page = renderSurveyPage({ locale, defaultLocale: def.survey.defaultLocale, branding: def.survey.branding, scale, selected: null, ticket, formAction: `/s/${sampleToken}`, csrfToken: 'preview', comment: null, expiresAt: new Date(ctx.now().getTime() + def.survey.expiryDays * 86_400_000), answeredBefore: false });
    return { email, note, task, page, detractor };
  };

  scope.get<{ Querystring: Q }>('/admin/console/templates', async (req, reply) => {
    const r = await resolve(req.query);
    const base = { files: FILES, locales: r.locales.map((l) => ({ value: l, selected: l === r.locale })), localeReport: localeReport() };
    if (!r.def) return html(reply, 200, renderConsole('templates', await pageContext(ctx, req, 'templates', 'Templates', { ...base, noConnector: true })));
    const p = previews(r.def, r.locale, r.ticket);
    const qs = `connector=${encodeURIComponent(r.def.id)}&locale=${encodeURIComponent(r.locale)}${r.ticket ? `&ticket=${encodeURIComponent(r.ticket.id)}` : ''}`;
    return html(
      reply,
      200,
      renderConsole(
        'templates',
        await pageContext(ctx, req, 'templates', 'Templates', {
          ...base,
          connectors: r.defs.map((d) => ({ value: d.id, label: d.name, selected: d.id === r.def!.id })),
          tickets: r.tickets.map((t) => ({ value: t.id, label: `${t.key ?? t.id}: ${(t.title ?? '').slice(0, 60)}${t.score !== null ? ` (answered ${t.score})` : ''}`, selected: t.id === r.ticket?.id })),
          ticket: r.ticket,
          subject: p.email.subject,
          emailText: p.email.text,
          note: p.note,
          task: p.task,
          detractor: p.detractor,
          frameEmail: `/admin/console/templates/frame?${qs}&view=email`,
          framePage: `/admin/console/templates/frame?${qs}&view=page`,
          connectorName: r.def.name,
        }),
      ),
    );
  });

  scope.get<{ Querystring: Q }>('/admin/console/templates/frame', async (req, reply) => {
    const r = await resolve(req.query);
    if (!r.def) throw Object.assign(new Error('No connector yet.'), { statusCode: 404 });
    const p = previews(r.def, r.locale, r.ticket);
    return reply.header('content-security-policy', FRAME_CSP).type('text/html; charset=utf-8').send(req.query.view === 'page' ? p.page : p.email.html);
  });
}
