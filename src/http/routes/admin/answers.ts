import type { FastifyInstance } from 'fastify';
import { sql, type Expression, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { scoreLabel } from '../../../render/itsm.js';
import { isDetractor } from '../../../rules/follow-up-policy.js';
import type { ConnectorStore } from '../../../store/connectors.js';
import { HttpError } from '../../app.js';

const DAY = 86_400_000;
const isCalendarDay = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};
/** A whole UTC day (2026-11-22) or an instant (2026-11-22T10:00:00Z). */
const when = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isCalendarDay, 'is not a calendar date').transform((s) => ({ day: true, at: new Date(`${s}T00:00:00Z`) })),
  z.iso.datetime({ offset: true }).transform((s) => ({ day: false, at: new Date(s) })),
], { error: 'must be a date like 2026-11-22 or a time like 2026-11-22T10:00:00Z' });
const score = z.coerce.number().int().min(0).max(10);

const querySchema = z
  .object({
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id').optional(),
    /** A team key as the stats API returns it: <connector>:<assignment group id (or name)>. */
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}:[^\u0000-\u001f]{0,200}$/, 'must be a team key like snow-prod:<group id>, as /admin/stats returns it').optional(),
    minScore: score.optional(),
    maxScore: score.optional(),
    detractor: z.enum(['true', 'false']).optional(),
    from: when.optional(),
    to: when.optional(),
    /** true: every submission, including answers changed later and ones flagged as likely bots. */
    history: z.enum(['true', 'false']).default('false'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** nextCursor of the previous page. */
    cursor: z.string().regex(/^[1-9]\d{0,18}$/, 'must be the nextCursor of a previous page').optional(),
  })
  .strict();

export type AnswersQuery = z.infer<typeof querySchema>;

/** Parses the query string; a bad or unknown parameter is a 400 that names it. Empty values count as absent. */
export function parseAnswersQuery(raw: unknown): AnswersQuery {
  const cleaned = Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  const r = querySchema.safeParse(cleaned);
  if (!r.success) {
    throw new HttpError(400, r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: unknown parameter` : `${i.path.join('.')}: ${i.message}`)).join('; '));
  }
  const q = r.data;
  if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore) throw new HttpError(400, 'minScore: must not be above maxScore');
  if (q.from && q.to && q.from.at.getTime() > q.to.at.getTime()) throw new HttpError(400, 'from: must be on or before to');
  return q;
}

/**
 * GET /admin/answers: the customers' answers, newest first, paged by cursor, filterable by connector,
 * team, score range, detractor (the connector's own detractorMax per scale) and answer time. By default
 * only the answer that stands per survey (what the figures count). Requesters are not named here — no
 * email, no name: the ticket identifies the case for whoever follows it up in the ITSM, and the list can
 * be exported or shared for analysis without carrying personal data beyond the customer's own comment.
 */
export function registerAnswerAdminRoutes(app: FastifyInstance, deps: { db: Db; connectors: ConnectorStore }) {
  app.get('/admin/answers', async (req) => {
    const q = parseAnswersQuery(req.query);
    const defs = new Map((await deps.connectors.list()).map((d) => [d.id, d]));
    if (q.connector && !defs.has(q.connector)) throw new HttpError(400, `connector: no connector ${q.connector}`);

    let sel = deps.db
      .selectFrom('responses as r')
      .innerJoin('surveys as s', 's.id', 'r.survey_id')
      .innerJoin('tickets as t', 't.id', 's.ticket_id')
      .leftJoin('follow_ups as f', 'f.survey_id', 's.id')
      .select([
        'r.id', 's.id as surveyId', 's.connector_id as connectorId', 't.external_id as ticketId', 't.external_key as ticketKey',
        't.assignment_group_id as teamId', 't.assignment_group_name as teamName', 's.scale', 'r.score', 'r.comment', 'r.submitted_at as answeredAt',
        'r.is_active as active', 'r.flagged', 'r.flag_reasons as flagReasons', 'f.status as followUpStatus', 'f.external_key as followUpKey', 'f.due_at as followUpDueAt',
      ])
      .orderBy('r.id', 'desc')
      .limit(q.limit + 1);
    if (q.history === 'false') sel = sel.where('r.is_active', '=', true);
    if (q.connector) sel = sel.where('s.connector_id', '=', q.connector);
    if (q.team) sel = sel.where(sql<string>`s.connector_id || ':' || coalesce(t.assignment_group_id, t.assignment_group_name, '')`, '=', q.team);
    if (q.minScore !== undefined) sel = sel.where('r.score', '>=', q.minScore);
    if (q.maxScore !== undefined) sel = sel.where('r.score', '<=', q.maxScore);
    if (q.from) sel = sel.where('r.submitted_at', '>=', q.from.at);
    // A day is inclusive: up to the end of that day.
    if (q.to) sel = q.to.day ? sel.where('r.submitted_at', '<', new Date(q.to.at.getTime() + DAY)) : sel.where('r.submitted_at', '<=', q.to.at);
    if (q.cursor) sel = sel.where('r.id', '<', q.cursor);
    if (q.detractor) {
      // Each connector has its own thresholds per scale.
      const wanted = q.detractor === 'true';
      sel = sel.where((eb) => {
        const perConnector: Expression<SqlBool>[] = [...defs.values()]
          .filter((d) => !q.connector || d.id === q.connector)
          .flatMap((d) =>
            (['csat', 'nps', 'ces'] as const).map((scale) =>
              eb.and([eb('s.connector_id', '=', d.id), eb('s.scale', '=', scale), eb('r.score', wanted ? '<=' : '>', d.followUp.detractorMax[scale])]),
            ),
          );
        return perConnector.length ? eb.or(perConnector) : eb.val(false);
      });
    }

    const rows = await sel.execute();
    const page = rows.slice(0, q.limit);
    return {
      answers: page.map((r) => {
        const def = defs.get(r.connectorId);
        return {
          id: r.id,
          surveyId: r.surveyId,
          connectorId: r.connectorId,
          ticket: { id: r.ticketId, key: r.ticketKey },
          team: { key: `${r.connectorId}:${r.teamId ?? r.teamName ?? ''}`, name: r.teamName },
          scale: r.scale,
          score: r.score,
          label: scoreLabel(r.scale, r.score),
          detractor: def ? isDetractor(r.scale, r.score, def.followUp.detractorMax) : null,
          comment: r.comment,
          answeredAt: r.answeredAt,
          active: r.active,
          flagged: r.flagged,
          flagReasons: r.flagReasons,
          followUp: r.followUpStatus ? { status: r.followUpStatus, key: r.followUpKey, dueAt: r.followUpDueAt } : null,
        };
      }),
      nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    };
  });
}
