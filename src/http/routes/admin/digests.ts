import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { planDigests } from '../../../digest/plan.js';
import { lastFullWeek, weekStarting } from '../../../digest/period.js';
import { digestLocale, digestRecipient } from '../../../digest/recipients.js';
import { buildDigestEmail } from '../../../digest/send.js';
import { listDigests } from '../../../digest/store.js';
import type { StageContext } from '../../../pipeline/context.js';
import { availableLocales, resolveLocale } from '../../../render/locales.js';
import { HttpError } from '../../app.js';

/** The preview is an email's HTML shown in a browser: its inline styles only, nothing else runs or loads. */
export const DIGEST_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; '));
  return r.data;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-16 (the Monday the week starts on)');
const connectorId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id');

/**
 * Read-only digest routes (registered where the admin token is accepted as Bearer or Basic):
 * the preview of any team's digest for any week, and the ledger.
 */
export function registerDigestReadRoutes(app: FastifyInstance, ctx: StageContext) {
  app.get('/admin/digests/preview', async (req, reply) => {
    const q = parse(
      z.object({
        team: z.string().trim().min(3, 'is required: a team key as the stats API returns it (<connector>:<group>)').max(300),
        period: day.optional(),
        format: z.enum(['html', 'text', 'json']).default('html'),
        locale: z.string().regex(/^[a-z]{2}$/, 'must be a language like en or de').refine((l) => availableLocales().includes(l), `must be one of ${availableLocales().join(', ')}`).optional(),
      }).strip(),
      req.query,
    );
    const colon = q.team.indexOf(':');
    const connector = colon > 0 ? q.team.slice(0, colon) : '';
    if (!connectorId.safeParse(connector).success) throw new HttpError(400, 'team: must be a team key as the stats API returns it (<connector>:<group id or name>)');
    const def = await ctx.connectors.get(connector);
    if (!def) throw new HttpError(404, `team: no connector ${connector}`);
    const { rows } = await sql<{ label: string }>`SELECT max(team_label) AS label FROM survey_facts WHERE team_key = ${q.team} HAVING count(*) > 0`.execute(ctx.db);
    if (!rows[0]) throw new HttpError(404, `team: no surveys for ${q.team}`);
    const s = def.analytics.digest;
    const week = q.period ? weekStarting(q.period, s.timeZone) : lastFullWeek(ctx.now(), s.timeZone);
    if (!week) throw new HttpError(400, `period: ${q.period} is not a Monday (weeks start on Monday, in ${s.timeZone})`);
    const team = { key: q.team, label: rows[0].label };
    const locale = q.locale ?? resolveLocale(digestLocale(def, team), def.survey.defaultLocale);
    const recipient = q.format === 'json' ? await digestRecipient(def, ctx.runtime.for(def), team) : null;
    const email = await buildDigestEmail(ctx, {
      id: 'preview', connectorId: def.id, teamKey: team.key, teamLabel: team.label, periodStart: week.start, periodFrom: week.from, periodTo: week.to,
      timeZone: week.timeZone, locale, recipient: recipient?.address ?? null,
    });
    void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    if (q.format === 'text') return reply.type('text/plain; charset=utf-8').send(email.text);
    if (q.format === 'json') return { team, week: { start: week.start, from: week.from.toISOString(), to: week.to.toISOString(), timeZone: week.timeZone }, locale, recipient: recipient?.address ?? null, recipientProblem: recipient?.why ?? null, subject: email.subject, html: email.html, text: email.text };
    return reply.header('content-security-policy', DIGEST_PREVIEW_CSP).type('text/html; charset=utf-8').send(email.html);
  });

  app.get('/admin/digests', async (req) => {
    const q = parse(
      z.object({
        status: z.enum(['pending', 'sending', 'sent', 'failed', 'unknown', 'skipped']).optional(),
        period: day.optional(),
        connector: connectorId.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }).strip(),
      req.query,
    );
    return { digests: await listDigests(ctx.db, { status: q.status, period: q.period, connectorId: q.connector, limit: q.limit }) };
  });
}

/** Changing digest routes (Bearer only): plan a connector's digests for a week now (idempotent per team and week). */
export function registerDigestAdminRoutes(app: FastifyInstance, ctx: StageContext) {
  app.post('/admin/digests/plan', async (req) => {
    const b = parse(z.object({ connector: connectorId, period: day.optional() }).strict(), req.body);
    if (!(await ctx.connectors.get(b.connector))) throw new HttpError(404, `connector: no connector ${b.connector}`);
    const r = await planDigests(ctx, b.connector, { period: b.period, force: true });
    if (!r.week) throw new HttpError(400, `period: ${r.reason}`);
    return r;
  });
}
