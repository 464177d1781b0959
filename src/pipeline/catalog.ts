import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * Every queue in one place: its payload schema (ids only — the data is in Postgres), its deterministic
 * job id (so re-enqueueing the same work is a no-op), and its job options.
 * BullMQ forbids ':' in custom ids, hence the dashes.
 */
const id = z.string().regex(/^\d+$/, 'must be a numeric id');
const connectorId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);

const keepCompleted = { age: 3600, count: 5000 };
/**
 * A batch job carries the ids of several items of one stage (still ids only). Its id is derived from
 * them, so enqueueing the same batch again is a no-op. Each item is done as a job of its own would do
 * it (claims, markers); an item the batch cannot finish is handed to a job of its own.
 */
export const MAX_BATCH = 100;
const batchId = (stage: string, ids: readonly string[]) => `${stage}-b${ids[0]}-${ids.at(-1)}-${ids.length}`;
const keepFailed = { age: 14 * 24 * 3600 };

export const catalog = {
  /** Poll one connector for closures. Scheduled per enabled connector, or triggered by the admin API. */
  poll: {
    payload: z.object({ connectorId }),
    jobId: (p: { connectorId: string }) => `poll-${p.connectorId}`,
    // A poll that fails is simply done again by the next run: the cursor only moves after success.
    options: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 1000 } },
  },
  /** Re-read a ticket named by a push notification (inbound_events row). */
  fetch: {
    payload: z.union([z.object({ eventId: id }), z.object({ eventIds: z.array(id).min(1).max(MAX_BATCH) })]),
    jobId: (p: { eventId: string } | { eventIds: string[] }) => ('eventIds' in p ? batchId('fetch', p.eventIds) : `fetch-${p.eventId}`),
    options: { attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Anti-spam decision for one closure. */
  decide: {
    payload: z.object({ closureId: id }),
    jobId: (p: { closureId: string }) => `decide-${p.closureId}`,
    options: { attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Email one survey (delayed until its send window opens). */
  send: {
    payload: z.union([z.object({ surveyId: id }), z.object({ surveyIds: z.array(id).min(1).max(MAX_BATCH) })]),
    jobId: (p: { surveyId: string } | { surveyIds: string[] }) => ('surveyIds' in p ? batchId('send', p.surveyIds) : `send-${p.surveyId}`),
    options: { attempts: 8, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** The optional single reminder, delayed by the connector's reminderAfterDays. */
  remind: {
    payload: z.object({ surveyId: id }),
    jobId: (p: { surveyId: string }) => `remind-${p.surveyId}`,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Write one answer back onto its ticket once it has settled (debounced), and apply the follow-up policy. */
  writeback: {
    payload: z.union([z.object({ responseId: id }), z.object({ responseIds: z.array(id).min(1).max(MAX_BATCH) })]),
    jobId: (p: { responseId: string } | { responseIds: string[] }) => ('responseIds' in p ? batchId('writeback', p.responseIds) : `writeback-${p.responseId}`),
    options: { attempts: 12, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Create a detractor's follow-up task, or note a change of rating on it. One job per answer. */
  followup: {
    payload: z.union([z.object({ followUpId: id, responseId: id }), z.object({ followUps: z.array(z.tuple([id, id])).min(1).max(MAX_BATCH) })]),
    jobId: (p: { followUpId: string; responseId: string } | { followUps: Array<[string, string]> }) =>
      'followUps' in p ? batchId('followup', p.followUps.map(([f, r]) => `${f}.${r}`)) : `followup-${p.followUpId}-${p.responseId}`,
    options: { attempts: 12, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Check a follow-up task at (and after) its due time: overdue → escalate once; closed → record the outcome. */
  sla: {
    payload: z.object({ followUpId: id, check: z.number().int().min(0) }),
    jobId: (p: { followUpId: string; check: number }) => `sla-${p.followUpId}-${p.check}`,
    options: { attempts: 12, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Plan one connector's weekly team digests (scheduled per connector with analytics.digest.enabled; src/digest/plan.ts). */
  digestplan: {
    payload: z.object({ connectorId, period: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }),
    jobId: (p: { connectorId: string; period?: string }) => `digestplan-${p.connectorId}-${p.period ?? 'latest'}`,
    options: { attempts: 5, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 }, removeOnComplete: true, removeOnFail: keepFailed },
  },
  /** Send one team digest (a digests row), at most once. */
  digest: {
    payload: z.object({ digestId: id }),
    jobId: (p: { digestId: string }) => `digest-${p.digestId}`,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 }, removeOnComplete: keepCompleted, removeOnFail: keepFailed },
  },
  /** Housekeeping: the reconciler sweep. */
  maintenance: {
    payload: z.object({ task: z.enum(['reconcile']) }),
    jobId: (p: { task: string }) => `maintenance-${p.task}`,
    options: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
  },
} satisfies Record<string, { payload: z.ZodType; jobId: (p: never) => string; options: JobsOptions }>;

export type QueueName = keyof typeof catalog;
export type Payload<Q extends QueueName> = z.infer<(typeof catalog)[Q]['payload']>;
export const QUEUE_NAMES = Object.keys(catalog) as QueueName[];
