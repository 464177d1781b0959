import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { decideClosure, enqueueSend } from '../src/pipeline/stages/decide.js';
import { sendReminder } from '../src/pipeline/stages/remind.js';
import { sendSurvey } from '../src/pipeline/stages/send.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { connectorDefinitionSchema } from '../src/connectors/registry.js';
import { recordSnapshots } from '../src/store/intake.js';
import type { TicketSnapshot } from '../src/connectors/types.js';
import { startHarness, snowConnector, type Harness } from './support/harness.js';

function snapshot(externalId: string, email: string, closedAt: Date, tz: string): TicketSnapshot {
  return {
    externalId, key: `INC-${externalId}`, title: 'Screen flickers', category: null, subcategory: null, priority: '3', state: '7', isClosed: true, closedAt,
    closeCode: 'Solved', assignmentGroupId: 'g', assignmentGroupName: 'Desk', assigneeId: 'a', assigneeName: 'Agent', resolverId: 'a', resolverName: 'Agent',
    requester: { externalId: `u-${externalId}`, email, name: 'Kim', locale: 'de', timeZone: tz }, openedAt: closedAt, updatedAt: closedAt,
  };
}

describe('send window and reminder', () => {
  let h: Harness;
  beforeAll(async () => {
    // Workers off: this test drives the stages itself, with its own clock.
    h = await startHarness({ ROLES: 'api' });
    const def = connectorDefinitionSchema.parse({
      ...snowConnector(h.sim),
      rules: { sendWindow: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00', defaultTimeZone: 'UTC' } },
      survey: { reminderAfterDays: 3 },
    });
    await h.service.ctx.connectors.save(def);
  });
  afterAll(() => h?.close());

  it('delays a closure at 22:00 on a Friday in the recipient\'s zone to 08:00 on Monday', async () => {
    const fridayNight = DateTime.fromISO('2026-11-27T22:00', { zone: 'Europe/Berlin' }).toJSDate();
    const [closureId] = await recordSnapshots(h.te.db, 'snow', [snapshot('w1', 'kim@example.com', fridayNight, 'Europe/Berlin')], 'poll');
    const ctx = { ...h.service.ctx, now: () => fridayNight };
    const r = await decideClosure(ctx, closureId!);
    expect(r.status === 'decided' && r.decision.outcome).toBe('survey');
    const sendAt = r.status === 'decided' && r.decision.outcome === 'survey' ? r.decision.sendAt : null;
    expect(DateTime.fromJSDate(sendAt!).setZone('Europe/Berlin').toISO()).toBe('2026-11-30T08:00:00.000+01:00');
    const delay = await enqueueSend(ctx, r.status === 'decided' ? r.surveyId! : '', sendAt!);
    expect(delay).toBe((2 * 24 + 10) * 3600_000); // Friday 22:00 → Monday 08:00
    const job = await h.service.ctx.queues.get('send').getJob(h.service.ctx.queues.jobId('send', { surveyId: r.status === 'decided' ? r.surveyId! : '' }));
    expect(job?.opts.delay).toBe(delay);
    // Run before the window opens, the stage refuses to send and asks to come back at the opening.
    await expect(sendSurvey(ctx, r.status === 'decided' ? r.surveyId! : '')).rejects.toMatchObject({ untilMs: sendAt!.getTime() });
  });

  it('sends one reminder when there is no answer, and none after an answer, an opt-out or a reopen', async () => {
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    const monday = DateTime.fromISO('2026-11-30T10:00', { zone: 'UTC' }).toJSDate();
    const ctx = { ...h.service.ctx, now: () => monday };
    const ids: Record<string, string> = {};
    const incidents: Record<string, string> = {};
    for (const who of ['quiet', 'answered', 'optedout', 'reopened']) {
      // Real tickets in the simulator, because the reminder re-reads the ticket before it goes.
      const caller = h.sim.createUser({ user_name: who, name: who, email: `${who}@example.com` });
      const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Screen flickers' });
      h.sim.closeIncident(inc.sys_id!, { at: monday });
      incidents[who] = inc.sys_id!;
      const [closureId] = await recordSnapshots(h.te.db, 'snow', [snapshot(inc.sys_id!, `${who}@example.com`, monday, 'UTC')], 'poll');
      const r = await decideClosure(ctx, closureId!);
      ids[who] = r.status === 'decided' ? r.surveyId! : '';
      expect(await sendSurvey(ctx, ids[who]!)).toBe('sent');
    }
    await h.te.db.insertInto('responses').values({ survey_id: ids.answered!, score: 5, is_active: true }).execute();
    await h.te.db.insertInto('suppressions').values({ email: 'optedout@example.com', reason: 'unsubscribed' }).execute();
    h.sim.reopenIncident(incidents.reopened!);

    // The reminder job waits the connector's reminderAfterDays.
    expect((await h.service.ctx.queues.get('remind').getJob(h.service.ctx.queues.jobId('remind', { surveyId: ids.quiet! })))?.opts.delay).toBe(3 * 86_400_000);
    const later = { ...ctx, now: () => new Date(monday.getTime() + 3 * 86_400_000) };
    const sentBefore = transport.sent.length;
    expect(await sendReminder(later, ids.answered!)).toBe('already answered');
    expect(await sendReminder(later, ids.optedout!)).toMatch(/^skipped: recipient is on the suppression list/);
    expect(await sendReminder(later, ids.reopened!)).toBe('skipped: ticket was reopened');
    expect(transport.sent.length).toBe(sentBefore);

    expect(await sendReminder(later, ids.quiet!)).toBe('reminder sent');
    expect(await sendReminder(later, ids.quiet!)).toBe('nothing to do'); // only one, ever
    const reminder = transport.sent.at(-1)!;
    expect(reminder.to).toBe('quiet@example.com');
    expect(reminder.tags).toEqual({ survey_id: ids.quiet, connector_id: 'snow', kind: 'reminder' });
    // Both the first email's link and the reminder's link work.
    const links = transport.sent.filter((m) => m.to === 'quiet@example.com').map((m) => /href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!);
    expect(links).toHaveLength(2);
    for (const l of links) expect((await h.api('GET', new URL(l).pathname, undefined, { token: null })).status).toBe(200);
  });
});
