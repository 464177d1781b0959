import type { Db } from '../db/client.js';
import { MicroBatcher } from '../lib/micro-batcher.js';
import { StatementBatcher } from '../lib/statement-batcher.js';
import { claimSurveysForSending, finishSendings, loadSurveysForDelivery, type SendClaim, type SendOutcome, type SurveyForDelivery } from '../store/surveys.js';
import { claimWritebacks, finishWritebacks, loadWritebacks, type WritebackClaim, type WritebackFinish, type WritebackWork } from '../store/writebacks.js';
import { claimFollowUps, loadFollowUps, markTasksCreated, upsertFollowUps, type CreatedTask, type FollowUpWork, type NewFollowUp } from '../store/follow-ups.js';
import { loadInboundEvents, recordPushedSnapshots, type InboundEventRow, type PushedSnapshot } from '../store/intake.js';
import { EnqueueBatcher } from './enqueue-batcher.js';
import type { Queues } from './queues.js';

/**
 * One set per process: the reads and writes each stage makes per job, shared by the jobs running at
 * once (20 concurrent sends: two or three statements for their claims instead of twenty), and the jobs
 * they enqueue next, added in bulk. A lone job never waits for others (see BatchPump); each gets its
 * own result, so every stage keeps its per-job logic, claims and retries.
 */
export function stageLoaders(db: Db, queues: Queues, claimLeaseMs: number) {
  const writer = <I, O>(run: (items: I[]) => Promise<O[]>) => new StatementBatcher<I, O>(run);
  return {
    inboundEvent: new MicroBatcher<string, InboundEventRow | null>((ids) => loadInboundEvents(db, ids), null),
    recordPush: writer<PushedSnapshot, string[]>((items) => recordPushedSnapshots(db, items)),
    surveyForDelivery: new MicroBatcher<string, SurveyForDelivery | null>((ids) => loadSurveysForDelivery(db, ids), null),
    claimSend: writer<SendClaim, boolean>((claims) => claimSurveysForSending(db, claims)),
    finishSend: writer<{ surveyId: string; outcome: SendOutcome }, void>((items) => finishSendings(db, items)),
    writeback: new MicroBatcher<string, WritebackWork | null>((ids) => loadWritebacks(db, ids), null),
    claimWriteback: writer<string, WritebackClaim | null>((ids) => claimWritebacks(db, ids, claimLeaseMs)),
    finishWriteback: writer<WritebackFinish, void>((items) => finishWritebacks(db, items)),
    upsertFollowUp: writer<NewFollowUp, string>((items) => upsertFollowUps(db, items)),
    followUp: new MicroBatcher<string, FollowUpWork | null>((ids) => loadFollowUps(db, ids), null),
    claimFollowUp: writer<string, number | null>((ids) => claimFollowUps(db, ids, claimLeaseMs)),
    markTaskCreated: writer<CreatedTask, void>((items) => markTasksCreated(db, items)),
    enqueue: new EnqueueBatcher(queues),
  };
}

export type StageLoaders = ReturnType<typeof stageLoaders>;
