import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { startHarness, seedClosedIncidents, snowConnector, type Harness } from './support/harness.js';
import { loopState, scoreFor } from './support/loop.js';

const count = async (h: Harness, sqlWhere: (q: any) => any, table: 'writebacks' | 'follow_ups') => Number((await sqlWhere(h.te.db.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirst())?.n ?? 0);
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

async function answer(h: Harness, link: string, score: number, comment: string) {
  const path = new URL(link).pathname;
  const page = await h.api('GET', path, undefined, { token: null });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const r = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: String(score), comment }).toString() });
  expect(r.status).toBe(303);
}

describe('closing the loop on ServiceNow', () => {
  let h: Harness;
  let ticketGroup: string;
  beforeAll(async () => {
    h = await startHarness({ WORKER_CONCURRENCY: '20' });
    const seeded = seedClosedIncidents(h.sim, 200, 200);
    ticketGroup = seeded.group.sys_id!;
    await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }));
    await h.api('POST', '/admin/connectors/snow/poll');
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('200 surveys sent', () => transport.sent.length === 200, 60_000);
    const mails = transport.sent.slice();
    for (const [i, m] of mails.entries()) {
      const link = /href="(http[^"]+\/s\/[^"?]+)/.exec(m.html)![1]!;
      await answer(h, link, scoreFor(i), i === 0 ? '[code]<img src=x onerror=alert(1)>[/code]' : `comment ${i}`);
    }
  }, 120_000);
  afterAll(() => h?.close());

  it('writes exactly one work note per answer and one follow-up task per detractor', async () => {
    await waitFor('200 write-backs', async () => (await count(h, (q) => q.where('status', '=', 'done'), 'writebacks')) === 200, 60_000);
    await waitFor('60 tasks', async () => (await count(h, (q) => q.where('status', '=', 'open'), 'follow_ups')) === 60, 60_000);
    const s = loopState(h.sim);
    expect(s.notes).toHaveLength(200);
    expect(s.notesByTicket.size).toBe(200);
    expect(s.tasks).toHaveLength(60);
    expect(new Set(s.tasks.map((t) => t.incident)).size).toBe(60);
  });

  it('each task is linked to its ticket, assigned to the ticket\'s group, and due 24 h after its answer', async () => {
    const rows = await h.te.db
      .selectFrom('follow_ups as f')
      .innerJoin('responses as r', 'r.id', 'f.response_id')
      .innerJoin('tickets as t', 't.id', 'f.ticket_id')
      .select(['f.external_id', 'r.submitted_at', 'r.score', 't.external_id as ticket'])
      .execute();
    const tasks = new Map(h.sim.table('incident_task').map((t) => [t.sys_id!, t]));
    for (const r of rows) {
      const task = tasks.get(r.external_id!)!;
      expect(task.incident).toBe(r.ticket);
      expect(task.assignment_group).toBe(ticketGroup);
      expect(r.score).toBeLessThanOrEqual(2);
      const due = loopState(h.sim).due(task).getTime();
      expect(Math.abs(due - (r.submitted_at.getTime() + 24 * 3600_000))).toBeLessThanOrEqual(60_000);
      expect(task.description).toContain('8. Confirm');
      expect(task.description).toMatch(/Ref FB-T\d+-[0-9a-f]{8}/);
    }
  });

  it('neutralises a [code] block in the customer\'s comment', async () => {
    const note = loopState(h.sim).notes.find((n) => n.value!.includes('onerror'))!;
    expect(note.value).not.toMatch(/\[code\]/i);
    expect(note.value).toContain('［code］<img src=x onerror=alert(1)>［/code］');
  });

  it('notes a change of rating on the task, and writes the update on the ticket', async () => {
    const f = await h.te.db.selectFrom('follow_ups as f').innerJoin('surveys as s', 's.id', 'f.survey_id').select(['f.id', 'f.external_id', 's.id as surveyId']).executeTakeFirstOrThrow();
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    const mail = transport.sent.find((m) => m.tags.survey_id === f.surveyId)!;
    await answer(h, /href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!, 5, 'They called me, all fixed');
    await waitFor('the change noted on the task', () => h.sim.table('sys_journal_field').some((j) => j.element_id === f.external_id && j.value!.includes('changed their rating to 5')));
    await waitFor('the update on the ticket', () => loopState(h.sim).notes.some((n) => n.value!.startsWith('Customer feedback UPDATED') && n.value!.includes('(was ')));
    expect(h.sim.table('incident_task')).toHaveLength(60); // never deleted
  });

  it('at the due time: an open task is escalated once; a closed one has its outcome recorded', async () => {
    const [open, closed] = await h.te.db.selectFrom('follow_ups').select(['id', 'external_id', 'due_at']).orderBy('id').limit(2).execute();
    // Close one task in the simulator with notes from the recovery call.
    await fetch(`${h.sim.url}/api/now/table/incident_task/${closed!.external_id}`, {
      method: 'PATCH',
      headers: { authorization: `Basic ${Buffer.from('integration:integration-pass').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: '3', close_notes: 'Called the customer; replaced the laptop.' }),
    });
    expect((await h.api('PATCH', '/admin/connectors/snow', { followUp: { escalation: { email: 'desk-leads@it.example.com' } } })).status).toBe(200);
    const later = { ...h.service.ctx, now: () => new Date(open!.due_at.getTime() + 60_000) };
    const { checkFollowUpSla } = await import('../src/pipeline/stages/sla.js');
    expect(await checkFollowUpSla(later, open!.id, 0)).toBe('overdue, escalated');
    expect(await checkFollowUpSla(later, open!.id, 1)).toBe('overdue, escalated');
    expect(h.sim.table('sys_journal_field').filter((j) => j.value!.startsWith('ESCALATION'))).toHaveLength(2); // ticket + task, once
    // And one email to the team leads, with a link to the ticket.
    const escalations = (h.service.ctx.mail.transport as MemoryTransport).sent.filter((m) => m.tags.kind === 'escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ to: 'desk-leads@it.example.com', tags: { follow_up_id: open!.id } });
    expect(escalations[0]!.subject).toMatch(/^Overdue follow-up: unhappy customer on INC\d+/);
    expect(escalations[0]!.text).toContain(`${h.sim.url}/`);
    expect(await checkFollowUpSla(later, closed!.id, 0)).toMatch(/^closed/);
    const rows = await h.te.db.selectFrom('follow_ups').select(['id', 'status', 'overdue_at', 'escalated_at', 'outcome']).where('id', 'in', [open!.id, closed!.id]).orderBy('id').execute();
    expect(rows[0]).toMatchObject({ status: 'open', overdue_at: expect.any(Date), escalated_at: expect.any(Date) });
    expect(rows[1]).toMatchObject({ status: 'closed', outcome: 'Called the customer; replaced the laptop.' });
  });

  it('links agents to a read-only answer page from the note', async () => {
    const note = loopState(h.sim).notes[0]!;
    const url = /Answer history: (\S+)/.exec(note.value!)![1]!;
    const page = await h.api('GET', new URL(url).pathname, undefined, { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Customer feedback on INC');
    expect((await h.api('GET', `${new URL(url).pathname}x`, undefined, { token: null })).status).toBe(404);
  });
});
