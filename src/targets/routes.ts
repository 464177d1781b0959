import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { HttpError } from '../http/app.js';
import { cancellable } from '../http/client-gone.js';
import type { AnalyticsReader } from '../analytics/reader.js';
import { TeamDirectory } from '../analytics/team-directory.js';
import { dateSchema } from '../initiatives/schema.js';
import { loadTargetsReport } from './evaluate.js';
import { loadHeadlineChange } from './headline-change.js';
import { parseStatsQuery, refusePerAgent } from '../analytics/query.js';
import { DEFAULT_TEAM, issuesText, targetBodySchema, type Target } from './schema.js';
import { TargetStore } from './store.js';

/**
 * Targets: CRUD (Bearer only) and their status (also with the Basic password, like the stats API).
 * The URL names a target by 'default' or by the team's key (URL-encoded); bodies may also name a team
 * by a name only one team has.
 */
export interface TargetRouteDeps {
  db: Db;
  minGroupSize: number;
  now: () => Date;
  reader(signal?: AbortSignal): AnalyticsReader;
}

type TeamParams = { Params: { team: string } };

const statusQuery = z
  .object({
    date: dateSchema.optional(),
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id').optional(),
    team: z.string().trim().min(1).max(300).optional(),
  })
  .strip();

async function labels(db: Db): Promise<Map<string, string>> {
  return new Map((await new TeamDirectory(db).all()).map((t) => [t.key, t.label]));
}

/** The team a body names, as stored: 'default' or a resolved key. */
export async function resolveTargetTeam(dir: TeamDirectory, team: string, path = 'team'): Promise<string> {
  if (team === DEFAULT_TEAM) return DEFAULT_TEAM;
  const r = await dir.resolve(team);
  if (!r.ok) throw new HttpError(400, `${path}: ${r.message}`);
  return r.team.key;
}

function checkUrlTeam(team: string): string {
  if (team === DEFAULT_TEAM || team.includes(':')) return team;
  throw new HttpError(400, `team: "${team.slice(0, 100)}" is neither "default" nor a team key (<connector>:<group>, URL-encoded)`);
}

export function registerTargetReadRoutes(app: FastifyInstance, deps: TargetRouteDeps) {
  const store = new TargetStore(deps.db);
  app.get('/admin/targets', async () => ({ targets: await store.list(await labels(deps.db)) }));

  app.get(
    '/admin/targets/status',
    cancellable(async (req, _reply, signal) => {
      const q = statusQuery.safeParse(Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '')));
      if (!q.success) throw new HttpError(400, issuesText(q.error));
      return loadTargetsReport(
        { reader: deps.reader(signal), minGroupSize: deps.minGroupSize, now: deps.now },
        { date: q.data.date ? new Date(`${q.data.date}T00:00:00Z`) : undefined, scope: { connectorId: q.data.connector, team: q.data.team } },
      );
    }),
  );

  // Every headline figure of a range against the range of equal length before it (the dashboard's comparison).
  app.get(
    '/admin/stats/change',
    cancellable(async (req, _reply, signal) => {
      const q = parseStatsQuery(req.query, deps.now());
      refusePerAgent(q, 'the change against the previous period is');
      if (q.filter.category !== undefined || q.filter.priority !== undefined) throw new HttpError(400, 'category: the change against the previous period is per connector and team only');
      return loadHeadlineChange(deps.reader(signal), { from: q.filter.from, to: q.filter.to }, { connectorId: q.filter.connectorId, team: q.filter.team }, deps.minGroupSize, deps.now());
    }),
  );

  app.get<TeamParams>('/admin/targets/:team', async (req) => {
    const t = await store.get(checkUrlTeam(req.params.team), await labels(deps.db));
    if (!t) throw new HttpError(404, `no target for ${req.params.team === DEFAULT_TEAM ? 'the default' : `team ${req.params.team.slice(0, 300)}`}`);
    return t;
  });
}

export function registerTargetWriteRoutes(app: FastifyInstance, deps: TargetRouteDeps) {
  const store = new TargetStore(deps.db);
  const parse = (body: unknown) => {
    const r = targetBodySchema.safeParse(body ?? {});
    if (!r.success) throw new HttpError(400, issuesText(r.error), r.error.issues);
    return r.data;
  };
  const view = async (team: string): Promise<Target> => (await store.get(team, await labels(deps.db)))!;

  app.post('/admin/targets', async (req, reply) => {
    const b = parse(req.body);
    const team = await resolveTargetTeam(new TeamDirectory(deps.db), b.team);
    if (await store.get(team)) throw new HttpError(409, `a target for ${team === DEFAULT_TEAM ? 'the default' : `team ${team}`} exists; use PUT /admin/targets/${encodeURIComponent(team)}`);
    await store.put({ ...b, team });
    return reply.status(201).send(await view(team));
  });

  app.put<TeamParams>('/admin/targets/:team', async (req, reply) => {
    const team = checkUrlTeam(req.params.team);
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? { ...(req.body as object), team } : req.body;
    const b = parse(body);
    const action = await store.put({ ...b, team });
    return reply.status(action === 'created' ? 201 : 200).send({ ...(await view(team)), action });
  });

  app.delete<TeamParams>('/admin/targets/:team', async (req, reply) => {
    if (!(await store.delete(checkUrlTeam(req.params.team)))) throw new HttpError(404, `no target for ${req.params.team.slice(0, 300)}`);
    return reply.status(204).send();
  });
}
