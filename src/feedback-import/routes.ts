import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { HttpError } from '../http/app.js';
import { dateSchema } from '../initiatives/schema.js';
import { SOURCE_KINDS } from './schema.js';
import { FeedbackImporter, MAX_IMPORT_BYTES, rowErrorText, type ImportReport } from './service.js';

/**
 * Non-survey feedback through the admin API: a CSV file (`text/csv` body, at most 1 MiB) or a JSON
 * batch; `?partial=true` stores the good rows when some are bad (otherwise nothing is stored and the
 * answer is 400 with every row's errors). Listing also takes the Basic password, like the stats API.
 */
const partialQuery = z
  .object({ partial: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() })
  .strip();

const listQuery = z
  .object({
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    team: z.string().trim().min(1).max(300).optional(),
    connector: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id').optional(),
    kind: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }).optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').optional(),
  })
  .strip();

const cleaned = (q: unknown) => Object.fromEntries(Object.entries((q ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

function partialOf(query: unknown): boolean {
  const q = partialQuery.safeParse(cleaned(query));
  if (!q.success) throw new HttpError(400, issues(q.error));
  return q.data.partial === 'true';
}

/** 400 with every error when nothing was stored; the report otherwise. */
function answer(report: ImportReport): ImportReport {
  if (report.imported) return report;
  const shown = report.errors.slice(0, 20).map(rowErrorText).join('; ');
  const more = report.errors.length > 20 ? ` (and ${report.errors.length - 20} more)` : '';
  const head = report.rejected ? `${report.rejected} of ${report.received} rows are invalid; nothing was imported (add ?partial=true to import the valid ones)` : 'nothing was imported';
  throw new HttpError(400, `${head}: ${shown}${more}`, report);
}

export function registerFeedbackReadRoutes(app: FastifyInstance, deps: { db: Db }) {
  const importer = new FeedbackImporter(deps.db);
  app.get('/admin/feedback/items', async (req) => {
    const q = listQuery.safeParse(cleaned(req.query));
    if (!q.success) throw new HttpError(400, issues(q.error));
    return { items: await importer.store.list({ ...q.data, connectorId: q.data.connector }) };
  });
}

export function registerFeedbackWriteRoutes(app: FastifyInstance, deps: { db: Db }) {
  const importer = new FeedbackImporter(deps.db);
  // CSV bodies are text; the route's own limit (the JSON limit of the app stays as it is).
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));

  app.post('/admin/feedback/import', { bodyLimit: MAX_IMPORT_BYTES }, async (req) => {
    const partial = partialOf(req.query);
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/csv' && type !== 'application/csv') throw new HttpError(415, 'send the file as the body with Content-Type: text/csv (UTF-8)');
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new HttpError(400, 'the body is empty: send the CSV file');
    return answer(await importer.importCsv(req.body, { partial }));
  });

  app.post('/admin/feedback/items', async (req) => answer(await importer.importJson(req.body, { partial: partialOf(req.query) })));

  app.delete<{ Params: { id: string } }>('/admin/feedback/items/:id', async (req, reply) => {
    if (!(await importer.store.delete(req.params.id))) throw new HttpError(404, `no feedback item ${req.params.id.slice(0, 40)}`);
    return reply.status(204).send();
  });
}
