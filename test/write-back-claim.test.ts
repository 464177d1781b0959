import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { marker } from '../src/lib/markers.js';
import { RetryLaterError } from '../src/lib/retry.js';
import { decideClosure } from '../src/pipeline/stages/decide.js';
import { writeBack } from '../src/pipeline/stages/write-back.js';
import { mapServiceNowRecord } from '../src/connectors/servicenow/map-record.js';
import { recordSnapshots } from '../src/store/intake.js';
import { drawResponseId, recordAnswer } from '../src/store/responses.js';
import { claimWriteback, WRITEBACK_CLAIMS } from '../src/store/writebacks.js';
import { underClaim } from '../src/store/claim-lease.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';
import { loopState } from './support/loop.js';
import { waitFor } from './support/env.js';

/**
 * A write-back's claim is a lease: while its worker is alive (and keeps it fresh), nobody else writes
 * the same answer, even when the job runs twice (a Redis wipe, a stalled-job hand-over).
 */
describe('write-back claim', () => {
  let h: Harness;
  let responseId: string;
  const row = () => h.te.db.selectFrom('writebacks').select(['status', 'attempts']).where('response_id', '=', responseId).executeTakeFirstOrThrow();
  const notes = () => loopState(h.sim).notes.filter((n) => n.value!.includes('FB-A')).length;

  beforeAll(async () => {
    h = await startHarness({ ROLES: 'api', ITSM_MAX_ATTEMPTS: '1' }); // no workers: the test runs the stage itself
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 }, followUp: { enabled: false } }));
    const { incidents, users } = seedClosedIncidents(h.sim, 1, 1);
    const caller = users[0]!;
    const snapshot = mapServiceNowRecord({ ...incidents[0]!, 'caller_id.email': caller.email, 'caller_id.name': caller.name }, ['7'])!;
    const [closureId] = await recordSnapshots(h.te.db, 'snow', [snapshot], 'poll');
    await decideClosure(h.service.ctx, closureId!);
    await sql`UPDATE surveys SET status = 'sent', sent_at = now(), expires_at = now() + interval '28 days'`.execute(h.te.db);
    const survey = await h.te.db.selectFrom('surveys').select('id').executeTakeFirstOrThrow();
    responseId = await drawResponseId(h.te.db);
    await recordAnswer(h.te.db, survey.id, responseId, { score: 5, comment: 'quick fix', flagReasons: [], userAgent: 'Mozilla/5.0', clientIpHash: null, secondsSinceSent: 60 }, marker(h.te.config.SECRET_KEY, 'A', responseId));
  }, 60_000);
  afterAll(() => h?.close());

  it('leaves a live claim alone: the second run comes back later and writes nothing', async () => {
    const wb = await h.te.db.selectFrom('writebacks').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow();
    expect(await claimWriteback(h.te.db, wb.id, h.service.ctx.claimLeaseMs)).not.toBeNull(); // another worker, writing right now
    await expect(writeBack(h.service.ctx, responseId)).rejects.toBeInstanceOf(RetryLaterError);
    expect(notes()).toBe(0);
    expect(await row()).toEqual({ status: 'claimed', attempts: 1 });
  });

  it('gives the claim back when an attempt fails, and the retry writes the note once', async () => {
    // The other worker died: its claim lapsed.
    await sql`UPDATE writebacks SET claimed_at = now() - interval '1 hour'`.execute(h.te.db);
    h.sim.setFaults({ rate500: 1 });
    await expect(writeBack(h.service.ctx, responseId)).rejects.toThrow(/500|gave up/);
    expect(await row()).toEqual({ status: 'pending', attempts: 2 });
    h.sim.setFaults({ rate500: 0 });
    expect(await writeBack(h.service.ctx, responseId)).toBe('written');
    expect(await row()).toEqual({ status: 'done', attempts: 3 });
    expect(notes()).toBe(1);
  });

  it('a worker whose claim lapsed and was taken over cannot release its successor\'s claim', async () => {
    await sql`UPDATE writebacks SET status = 'pending'`.execute(h.te.db);
    const wb = await h.te.db.selectFrom('writebacks').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow();
    const stale = (await claimWriteback(h.te.db, wb.id, h.service.ctx.claimLeaseMs))!;
    await sql`UPDATE writebacks SET claimed_at = now() - interval '1 hour'`.execute(h.te.db);
    const successor = (await claimWriteback(h.te.db, wb.id, h.service.ctx.claimLeaseMs))!;
    expect(successor.attempt).toBe(stale.attempt + 1);
    // A failed call gives its claim back, but only its own.
    const fail = (attempt: number) => underClaim(h.te.db, WRITEBACK_CLAIMS, wb.id, attempt, h.service.ctx.claimLeaseMs, () => Promise.reject(new Error('ITSM down')));
    await expect(fail(stale.attempt)).rejects.toThrow('ITSM down');
    expect((await row()).status).toBe('claimed');
    await expect(fail(successor.attempt)).rejects.toThrow('ITSM down');
    expect((await row()).status).toBe('pending');
  });

  it('keeps a claim fresh while its call runs, so that it does not lapse under a slow ITSM', async () => {
    const wb = await h.te.db.selectFrom('writebacks').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow();
    const leaseMs = 1500;
    const { attempt } = (await claimWriteback(h.te.db, wb.id, leaseMs))!;
    await sql`UPDATE writebacks SET claimed_at = now() - interval '1 hour'`.execute(h.te.db);
    const renewed = () => sql<{ fresh: boolean }>`SELECT claimed_at > now() - interval '1 minute' AS fresh FROM writebacks`.execute(h.te.db).then((r) => r.rows[0]!.fresh);
    // The call lasts until the claim has been renewed; meanwhile nobody else can take it.
    await underClaim(h.te.db, WRITEBACK_CLAIMS, wb.id, attempt, leaseMs, () => waitFor('the claim renewed', renewed, 5000));
    expect(await claimWriteback(h.te.db, wb.id, leaseMs)).toBeNull();
  });
});
