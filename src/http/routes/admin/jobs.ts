import type { FastifyInstance } from 'fastify';
import type { Job } from 'bullmq';
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from '../../../pipeline/catalog.js';
import type { Queues } from '../../../pipeline/queues.js';
import { HttpError } from '../../app.js';
import { actorOf } from '../../../audit/actor.js';
import type { AuditLog } from '../../../audit/audit-log.js';

const STATES = ['failed', 'delayed', 'waiting', 'active', 'completed', 'prioritized', 'waiting-children'] as const;

const summary = (j: Job, detail = false) => ({
  id: j.id,
  queue: j.queueName,
  data: j.data as unknown,
  attemptsMade: j.attemptsMade,
  failedReason: j.failedReason || null,
  createdAt: new Date(j.timestamp).toISOString(),
  processedAt: j.processedOn ? new Date(j.processedOn).toISOString() : null,
  finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
  delayUntil: j.delay ? new Date(j.timestamp + j.delay).toISOString() : null,
  ...(detail ? { stacktrace: j.stacktrace, returnValue: j.returnvalue as unknown, options: j.opts } : {}),
});

/** Queue health and dead letters: counts, failed jobs with their reasons, retry and discard. */
export function registerJobAdminRoutes(app: FastifyInstance, deps: { queues: Queues; audit?: AuditLog }) {
  const queueOf = (name: string) => {
    if (!(QUEUE_NAMES as string[]).includes(name)) throw new HttpError(404, `no queue "${name.slice(0, 40)}"; queues: ${QUEUE_NAMES.join(', ')}`);
    return deps.queues.get(name as QueueName);
  };
  const jobOf = async (queue: string, id: string) => {
    const job = await queueOf(queue).getJob(id);
    if (!job) throw new HttpError(404, `no job "${id.slice(0, 80)}" in ${queue}`);
    return job;
  };

  app.get('/admin/pipeline', async () => ({
    queues: await Promise.all(QUEUE_NAMES.map(async (name) => ({ name, paused: await deps.queues.get(name).isPaused(), counts: await deps.queues.get(name).getJobCounts(...STATES) }))),
  }));

  app.get('/admin/jobs', async (req) => {
    const r = z.object({ queue: z.enum(QUEUE_NAMES as [QueueName, ...QueueName[]]).optional(), state: z.enum(STATES).default('failed'), limit: z.coerce.number().int().min(1).max(500).default(50) }).safeParse(req.query);
    if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const names = r.data.queue ? [r.data.queue] : QUEUE_NAMES;
    const jobs = (await Promise.all(names.map((n) => deps.queues.get(n).getJobs([r.data.state], 0, r.data.limit - 1)))).flat().filter(Boolean);
    return { jobs: jobs.slice(0, r.data.limit).map((j) => summary(j)) };
  });

  app.get<{ Params: { queue: string; id: string } }>('/admin/jobs/:queue/:id', async (req) => summary(await jobOf(req.params.queue, req.params.id), true));

  app.post<{ Params: { queue: string; id: string } }>('/admin/jobs/:queue/:id/retry', async (req) => {
    const job = await jobOf(req.params.queue, req.params.id);
    if (!(await job.isFailed())) throw new HttpError(409, `job ${job.id} is not failed (state: ${await job.getState()})`);
    await job.retry('failed');
    await deps.audit?.record(actorOf(req), { action: 'job.retry', targetType: 'job', targetId: `${req.params.queue}/${job.id}`, detail: job.failedReason ? `failed with: ${job.failedReason.slice(0, 300)}` : null });
    return { retried: job.id };
  });

  app.delete<{ Params: { queue: string; id: string } }>('/admin/jobs/:queue/:id', async (req, reply) => {
    const job = await jobOf(req.params.queue, req.params.id);
    if (await job.isActive()) throw new HttpError(409, `job ${job.id} is running; retry or discard it once it has finished`);
    const reason = job.failedReason;
    await job.remove();
    await deps.audit?.record(actorOf(req), { action: 'job.discard', targetType: 'job', targetId: `${req.params.queue}/${job.id}`, detail: reason ? `failed with: ${reason.slice(0, 300)}` : null });
    return reply.status(204).send();
  });
}
