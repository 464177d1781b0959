import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { decideClosure } from '../src/pipeline/stages/decide.js';
import { reconcile } from '../src/pipeline/stages/reconcile.js';
import { recordInboundEvent, recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer } from '../src/store/responses.js';
import { upsertFollowUp } from '../src/store/follow-ups.js';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { startHarness, snowConnector, type Harness } from './support/harness.js';

const snap = (id: string): TicketSnapshot => ({
  externalId: id.padStart(32, '0'), key: `INC${id}`, title: 't', category: null, subcategory: null, priority: null, state: '7', isClosed: true, closedAt: new Date(),
  closeCode: null, assignmentGroupId: null, assignmentGroupName: null, assigneeId: null, assigneeName: null, resolverId: null, resolverName: null,
  requester: { externalId: `u${id}`, email: `p${id}@example.com`, name: 'P', locale: null, timeZone: null }, openedAt: null, updatedAt: new Date(),
});

describe('reconciler repairs jobs that block owed work', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ROLES: 'api' }); // no workers: the test looks at the queue itself
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
  });
  afterAll(() => h?.close());

  it('replaces an orphaned job hash (a Redis wipe mid-flight), also one that then failed, and a completed job that did not do the work', async () => {
    const ctx = { ...h.service.ctx, reconcileStuckSeconds: 5 };
    const surveyIds: string[] = [];
    for (const id of ['1', '2', '3', '4', '5']) {
      const [closureId] = await recordSnapshots(h.te.db, 'snow', [snap(id)], 'webhook');
      const r = await decideClosure(ctx, closureId!);
      surveyIds.push(r.status === 'decided' ? r.surveyId! : '');
    }
    await sql`UPDATE surveys SET send_after = now() - interval '10 minutes', created_at = now() - interval '10 minutes'`.execute(h.te.db);
    const q = ctx.queues;
    const send = q.get('send');
    // 1: an orphaned hash (no data, in no list) under the job's deterministic id.
    await h.te.redis.hset(`${q.prefixFor('send')}:send:${q.jobId('send', { surveyId: surveyIds[0]! })}`, 'atm', '1', 'failedReason', 'orphaned');
    // 2: a job that completed without sending (it found a claim whose holder then died).
    await q.enqueue('send', { surveyId: surveyIds[1]! });
    const job = (await send.getJob(q.jobId('send', { surveyId: surveyIds[1]! })))!;
    await job.moveToCompleted('claimed by another worker', 'test-token', false).catch(async () => {
      // moveToCompleted needs the job locked by a worker: take it as a worker would.
      const { Worker } = await import('bullmq');
      const w = new Worker('send', null, { connection: h.te.redis, prefix: q.prefixFor('send') });
      const taken = await w.getNextJob('tok');
      await taken!.moveToCompleted('claimed by another worker', 'tok', false);
      await w.close();
    });
    expect(await send.getJobState(q.jobId('send', { surveyId: surveyIds[1]! }))).toBe('completed');
    // 5: a job that really failed (its data intact) stays failed, for an operator to retry or discard.
    const failedId = q.jobId('send', { surveyId: surveyIds[4]! });
    await q.enqueue('send', { surveyId: surveyIds[4]! });
    {
      const { Worker } = await import('bullmq');
      const w = new Worker('send', null, { connection: h.te.redis, prefix: q.prefixFor('send') });
      const taken = await w.getNextJob('tok5');
      expect(taken?.id).toBe(failedId);
      taken!.discard(); // no retries left: failed for good
      await taken!.moveToFailed(new Error('ITSM refused'), 'tok5', false);
      await w.close();
    }
    expect(await send.getJobState(failedId)).toBe('failed');
    // 3: a healthy waiting job is left alone.
    await q.enqueue('send', { surveyId: surveyIds[2]! });
    // 4: an id left in the wait list by a wipe that deleted its hash: a worker took it, found no data,
    // and it failed. Retrying it cannot help (there is nothing to run), so it is replaced too.
    const orphanId = q.jobId('send', { surveyId: surveyIds[3]! });
    await h.te.redis.hset(`${q.prefixFor('send')}:send:${orphanId}`, 'atm', '1', 'ats', '1', 'processedOn', String(Date.now()), 'finishedOn', String(Date.now()), 'failedReason', 'surveyId: expected string, received undefined');
    await h.te.redis.zadd(`${q.prefixFor('send')}:send:failed`, Date.now(), orphanId);
    expect(await send.getJobState(orphanId)).toBe('failed');

    const counts = await reconcile(ctx);
    expect(counts.repaired).toBe(3);
    expect(await send.getJobState(failedId)).toBe('failed');
    for (const id of surveyIds.slice(0, 4)) {
      const j = await send.getJob(q.jobId('send', { surveyId: id }));
      expect(j?.data).toEqual({ surveyId: id });
      expect(['waiting', 'prioritized', 'delayed']).toContain(await j!.getState());
    }
    expect((await reconcile(ctx)).repaired).toBe(0);
  });

  it('replaces the fetch job of a push notification that a wipe left failed without data (the closure would be lost)', async () => {
    const ctx = { ...h.service.ctx, reconcileStuckSeconds: 5 };
    const eventId = (await recordInboundEvent(h.te.db, 'snow', { externalId: 'f'.repeat(32), dedupeKey: 'wiped-1' }))!;
    await sql`UPDATE inbound_events SET received_at = now() - interval '10 minutes' WHERE id = ${eventId}`.execute(h.te.db);
    const q = ctx.queues;
    const fetchQueue = q.get('fetch');
    const id = q.jobId('fetch', { eventId });
    await h.te.redis.hset(`${q.prefixFor('fetch')}:fetch:${id}`, 'atm', '1', 'ats', '1', 'processedOn', String(Date.now()), 'finishedOn', String(Date.now()), 'failedReason', 'eventId: expected string, received undefined');
    await h.te.redis.zadd(`${q.prefixFor('fetch')}:fetch:failed`, Date.now(), id);

    expect((await reconcile(ctx)).repaired).toBe(1);
    const j = await fetchQueue.getJob(id);
    expect(j?.data).toEqual({ eventId });
    expect(['waiting', 'prioritized', 'delayed']).toContain(await j!.getState());
  });

  it('replaces the timed jobs a wipe broke: a reminder long due, a follow-up never checked at its due time; not an answered survey\'s reminder', async () => {
    const ctx = { ...h.service.ctx, reconcileStuckSeconds: 5 };
    const q = ctx.queues;
    await sql`UPDATE connectors SET definition = jsonb_set(definition, '{survey,reminderAfterDays}', '2')`.execute(h.te.db);
    const surveyIds: string[] = [];
    for (const id of ['21', '22', '23']) {
      const [closureId] = await recordSnapshots(h.te.db, 'snow', [snap(id)], 'webhook');
      const r = await decideClosure(ctx, closureId!);
      surveyIds.push(r.status === 'decided' ? r.surveyId! : '');
    }
    const [owed, answered, detractor] = surveyIds as [string, string, string];
    await sql`UPDATE surveys SET status = 'sent', sent_at = now() - interval '3 days', expires_at = now() + interval '20 days' WHERE id = any(${surveyIds}::bigint[])`.execute(h.te.db);
    const answer = async (surveyId: string, score: number) => {
      const rid = await drawResponseId(h.te.db);
      await recordAnswer(h.te.db, surveyId, rid, { score, comment: null, flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 60 }, `m-${rid}`);
      return rid;
    };
    await answer(answered, 5);
    const rid = await answer(detractor, 1);
    const t = await h.te.db.selectFrom('surveys').select('ticket_id').where('id', '=', detractor).executeTakeFirstOrThrow();
    const followUpId = await upsertFollowUp(h.te.db, { surveyId: detractor, responseId: rid, ticketId: t.ticket_id, connectorId: 'snow', marker: 'T-1', dueAt: new Date(Date.now() - 3600_000) });
    await sql`UPDATE follow_ups SET status = 'open', external_id = 'task-1' WHERE id = ${followUpId}`.execute(h.te.db);
    // Jobs a wipe left failed without data, and an answered survey's reminder job that completed.
    const plantFailed = async (name: 'remind' | 'sla', id: string) => {
      await h.te.redis.hset(`${q.prefixFor(name)}:${name}:${id}`, 'atm', '1', 'ats', '1', 'processedOn', String(Date.now()), 'finishedOn', String(Date.now()), 'failedReason', 'no data');
      await h.te.redis.zadd(`${q.prefixFor(name)}:${name}:failed`, Date.now(), id);
    };
    await plantFailed('remind', q.jobId('remind', { surveyId: owed }));
    await plantFailed('sla', q.jobId('sla', { followUpId, check: 0 }));
    await plantFailed('remind', q.jobId('remind', { surveyId: answered }));
    await h.te.redis.zrem(`${q.prefixFor('remind')}:remind:failed`, q.jobId('remind', { surveyId: answered }));
    await h.te.redis.zadd(`${q.prefixFor('remind')}:remind:completed`, Date.now(), q.jobId('remind', { surveyId: answered }));
    await h.te.redis.hset(`${q.prefixFor('remind')}:remind:${q.jobId('remind', { surveyId: answered })}`, 'data', JSON.stringify({ surveyId: answered }), 'returnvalue', '"already answered"');

    expect((await reconcile(ctx)).repaired).toBe(2);
    expect((await q.get('remind').getJob(q.jobId('remind', { surveyId: owed })))?.data).toEqual({ surveyId: owed });
    expect((await q.get('sla').getJob(q.jobId('sla', { followUpId, check: 0 })))?.data).toEqual({ followUpId, check: 0 });
    expect(await q.get('remind').getJobState(q.jobId('remind', { surveyId: answered }))).toBe('completed');
    expect((await reconcile(ctx)).repaired).toBe(0);
  });
});
