import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { recordInboundEvent, recordSnapshots } from '../src/store/intake.js';
import { createTestEnv, saveOfflineConnector, type TestEnv } from './support/env.js';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function snap(id: string, over: Partial<TicketSnapshot> & { email?: string | null; name?: string | null } = {}): TicketSnapshot {
  const { email = `${id}@example.com`, name = `Person ${id}`, ...rest } = over;
  return {
    externalId: id, key: `INC-${id}`, title: 'Printer jammed', category: 'hardware', subcategory: null, priority: '3', state: '7',
    isClosed: true, closedAt: at(0), closeCode: 'Solved', assignmentGroupId: 'g1', assignmentGroupName: 'Desk', assigneeId: 'a1', assigneeName: 'Agent',
    resolverId: 'a1', resolverName: 'Agent', requester: { externalId: `u-${id}`, email, name, locale: 'en', timeZone: 'UTC' },
    openedAt: at(-60), updatedAt: at(0), ...rest,
  };
}

describe('recordSnapshots (one statement: people, tickets, closures)', () => {
  let te: TestEnv;
  beforeAll(async () => {
    te = await createTestEnv();
    await saveOfflineConnector(te, 'snow');
  });
  afterAll(async () => te?.cleanup());

  const ticket = (id: string) => te.db.selectFrom('tickets').selectAll().where('external_id', '=', id).executeTakeFirstOrThrow();
  const closuresOf = async (id: string) =>
    (await te.db.selectFrom('closures as c').innerJoin('tickets as t', 't.id', 'c.ticket_id').select(['c.id', 'c.closed_at', 'c.source']).where('t.external_id', '=', id).orderBy('c.closed_at').execute());

  it('stores people by normalised email, tickets linked to them, and a closure per closed ticket', async () => {
    const created = await recordSnapshots(te.db, 'snow', [
      snap('a', { email: 'Ann@Example.com' }),
      snap('b', { email: 'ann@example.com', isClosed: false, closedAt: null, state: '2' }),
      snap('c', { email: null }),
    ], 'poll');
    expect(created).toHaveLength(2);
    const people = await te.db.selectFrom('people').select(['id', 'email', 'email_domain']).where('email', 'like', 'ann@%').execute();
    expect(people).toEqual([{ id: expect.any(String), email: 'ann@example.com', email_domain: 'example.com' }]);
    expect((await ticket('a')).requester_person_id).toBe(people[0]!.id);
    expect((await ticket('b')).requester_person_id).toBe(people[0]!.id);
    expect((await ticket('c')).requester_person_id).toBeNull();
    expect(await closuresOf('b')).toEqual([]);
    expect((await closuresOf('a')).map((c) => c.source)).toEqual(['poll']);
  });

  it('stores nothing twice when the same snapshots come again', async () => {
    const before = await ticket('a');
    expect(await recordSnapshots(te.db, 'snow', [snap('a', { email: 'Ann@Example.com' }), snap('c', { email: null })], 'webhook')).toEqual([]);
    expect((await ticket('a')).id).toBe(before.id);
    expect(await closuresOf('a')).toHaveLength(1);
  });

  it('a late, older snapshot does not overwrite the ticket, but its own closure is kept', async () => {
    // Reopened and closed again at +30 min, and the title changed; then a slow re-read from +10 min arrives.
    expect(await recordSnapshots(te.db, 'snow', [snap('d', { closedAt: at(30), updatedAt: at(30), title: 'Printer jammed again' })], 'poll')).toHaveLength(1);
    const late = await recordSnapshots(te.db, 'snow', [snap('d', { closedAt: at(10), updatedAt: at(10), title: 'Printer jammed', assigneeName: 'Old agent' })], 'webhook');
    expect(late).toHaveLength(1);
    const t = await ticket('d');
    expect(t.title).toBe('Printer jammed again');
    expect(t.assignee_name).toBe('Agent');
    expect(t.source_updated_at).toEqual(at(30));
    expect((await closuresOf('d')).map((c) => [c.closed_at, c.source])).toEqual([[at(10), 'webhook'], [at(30), 'poll']]);
  });

  it('keeps the newest of several snapshots of one ticket in a batch, and known person details when a new one lacks them', async () => {
    const created = await recordSnapshots(te.db, 'snow', [
      snap('e', { updatedAt: at(50), closedAt: at(50), title: 'newest', name: null }),
      snap('e', { updatedAt: at(40), closedAt: at(40), title: 'older' }),
    ], 'poll');
    expect(created).toHaveLength(1);
    expect((await ticket('e')).title).toBe('newest');
    expect((await closuresOf('e')).map((c) => c.closed_at)).toEqual([at(50)]);
    await recordSnapshots(te.db, 'snow', [snap('f', { email: 'e@example.com', name: 'Eve' })], 'poll');
    await recordSnapshots(te.db, 'snow', [snap('g', { email: 'e@example.com', name: null })], 'poll');
    expect((await te.db.selectFrom('people').select('display_name').where('email', '=', 'e@example.com').executeTakeFirstOrThrow()).display_name).toBe('Eve');
  });

  it('marks the push notification that named the ticket as processed, in the same statement', async () => {
    const event = async (key: string) => (await recordInboundEvent(te.db, 'snow', { externalId: 'h', dedupeKey: key }))!;
    const state = (id: string) => te.db.selectFrom('inbound_events').select(['processed_at', 'result']).where('id', '=', id).executeTakeFirstOrThrow();
    const [first, second, untouched] = [await event('h@1'), await event('h@2'), await event('h@3')];
    expect(await recordSnapshots(te.db, 'snow', [snap('h')], 'webhook', first)).toHaveLength(1);
    expect(await recordSnapshots(te.db, 'snow', [snap('h')], 'webhook', second)).toEqual([]);
    expect(await state(first)).toEqual({ processed_at: expect.any(Date), result: 'closure recorded' });
    expect(await state(second)).toEqual({ processed_at: expect.any(Date), result: 'closure already known' });
    expect(await state(untouched)).toEqual({ processed_at: null, result: null });
  });

  it('stores a page of 1,000 tickets in one call', async () => {
    const page = Array.from({ length: 1000 }, (_, i) => snap(`p${i}`, { email: `p${i % 400}@example.com` }));
    expect(await recordSnapshots(te.db, 'snow', page, 'poll')).toHaveLength(1000);
    expect(await recordSnapshots(te.db, 'snow', page, 'poll')).toEqual([]);
  });
});
