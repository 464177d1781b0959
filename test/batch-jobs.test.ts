import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';
import { loopState } from './support/loop.js';

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

async function answer(h: Harness, link: string, score: number) {
  const path = new URL(link).pathname;
  const page = await h.api('GET', path, undefined, { token: null });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const r = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score) }).toString() });
  expect(r.status).toBe(303);
}

/** The ids (without their installation prefix) of every job a queue holds or completed. */
async function jobIds(h: Harness, queue: 'decide' | 'send' | 'writeback' | 'followup'): Promise<string[]> {
  const jobs = await h.service.ctx.queues.get(queue).getJobs(['completed', 'waiting', 'active', 'delayed', 'failed']);
  return jobs.map((j) => j.id!.slice(h.service.ctx.queues.namespace.length + 1)).sort();
}

describe('batch jobs: one job for the items of a poll page, or of a moment of answers', () => {
  let h: Harness;
  let links: string[];
  beforeAll(async () => {
    // A short job lock, so that a write-back claim held by "another worker" lapses within the test.
    h = await startHarness({ WORKER_CONCURRENCY: '10', JOB_LOCK_MS: '1500' });
    seedClosedIncidents(h.sim, 6, 6);
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }));
    await h.api('POST', '/admin/connectors/snow/poll');
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('6 surveys sent', () => transport.sent.length === 6);
    links = transport.sent.map((m) => /href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!);
  });
  afterAll(() => h?.close());

  it('decides a poll page in the poll job and sends its surveys as one send job', async () => {
    expect(await jobIds(h, 'decide')).toEqual([]);
    const sends = await jobIds(h, 'send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatch(/^send-b\d+-\d+-6$/);
  });

  it('writes back the answers of a moment from one job, and their detractors\' follow-ups from one job', async () => {
    await Promise.all(links.map((l, i) => answer(h, l, i < 3 ? 1 : 5)));
    await waitFor('six notes', () => loopState(h.sim).notes.length === 6);
    const batches = (await jobIds(h, 'writeback')).filter((id) => id.startsWith('writeback-b'));
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches.length + (await jobIds(h, 'writeback')).filter((id) => !id.startsWith('writeback-b')).length).toBeLessThan(6);
    await waitFor('three follow-up tasks', async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM follow_ups WHERE status = 'open'`.execute(h.te.db)).rows[0]!.n) === 3);
    expect((await jobIds(h, 'followup')).length).toBeLessThan(3);
    expect(loopState(h.sim).notes).toHaveLength(6);
    expect(loopState(h.sim).tasks).toHaveLength(3);
  });

  it('hands an item that must wait to a job of its own, which does it once the claim lapses', async () => {
    // A write-back owed again (as after a crash) while a live claim elsewhere holds it.
    const wb = await h.te.db.selectFrom('writebacks').select(['id', 'response_id', 'survey_id']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    await h.te.db.updateTable('writebacks').set({ status: 'pending' }).where('id', '=', wb.id).execute();
    await h.te.db.updateTable('writebacks').set({ status: 'claimed', claimed_at: sql`now()`, attempts: 1 }).where('id', '=', wb.id).execute();
    await h.service.ctx.queues.enqueue('writeback', { responseIds: [wb.response_id, '999999998'] });
    // The batch runs, finds the claim live, and hands the item over: a delayed job of its own.
    await waitFor('the item handed over', async () => (await jobIds(h, 'writeback')).includes(`writeback-${wb.response_id}`) || null);
    // The claim lapses (its holder is gone): the item's own job takes it over and, as attempt 2, looks
    // for the answer's marker on the ticket first.
    await waitFor('done by its own job', async () => (await h.te.db.selectFrom('writebacks').select('status').where('id', '=', wb.id).executeTakeFirst())?.status === 'done' || null, 30_000);
    // Its note was on the ticket already (written before we took the write-back back): found by its marker, not written twice.
    expect(loopState(h.sim).notes).toHaveLength(6);
  });
});
