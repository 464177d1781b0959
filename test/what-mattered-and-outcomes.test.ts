import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { checkFollowUpSla } from '../src/pipeline/stages/sla.js';
import { waitFor } from './support/env.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/**
 * The "what mattered most?" question on the survey page (off by default, never in the email click,
 * stored with every answer), and follow-up outcome codes written into the task and read back from
 * its close notes — against the real service, Postgres, Redis and the ServiceNow simulator.
 */
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

describe('what mattered most, and outcome codes', () => {
  let h: Harness;
  let link: string;
  let mail: MemoryTransport['sent'][number];
  const post = async (fields: Record<string, string>) => {
    const page = await h.api('GET', link, undefined, { token: null });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return h.api('POST', link, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, comment: '', website: '', ...fields }).toString() });
  };
  const answers = () => h.te.db.selectFrom('responses').select(['score', 'what_mattered', 'is_active']).orderBy('id').execute();

  beforeAll(async () => {
    h = await startHarness();
    const res = await h.api('POST', '/admin/connectors', snowConnector(h.sim, {
      writeBack: { debounceSeconds: 0 },
      survey: { askWhatMattered: true },
      followUp: { outcomeCodes: ['resolved', 'explained', 'could_not_reach', 'no_action', 'escalated_further'] },
    }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caller = h.sim.createUser({ user_name: 'kim', name: 'Kim Questions', email: 'kim@example.com', preferred_language: 'de' });
    const desk = h.sim.createGroup({ name: 'Service Desk' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'VPN', assignment_group: desk.sys_id! });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    mail = await waitFor('the survey email', () => transport.sent.find((m) => m.to === 'kim@example.com'));
    link = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname;
  });
  afterAll(() => h?.close());

  it('is asked on the page only (localised, a fieldset of radio buttons), never in the email', async () => {
    expect(mail.html).not.toContain('whatMattered');
    expect(mail.html).not.toContain('Was war Ihnen am wichtigsten');
    const page = await h.api('GET', `${link}?r=2`, undefined, { token: null, headers: { 'accept-language': 'de' } });
    expect(page.body).toMatch(/<fieldset class="what-mattered"[^>]*>\s*<legend>Was war Ihnen am wichtigsten\?<\/legend>/);
    for (const d of ['responsiveness', 'reliability', 'assurance', 'empathy', 'other']) expect(page.body).toContain(`<input type="radio" name="whatMattered" value="${d}" id="wm-${d}">`);
    expect(page.body).toContain('<label for="wm-reliability">Dass es beim ersten Mal richtig gelöst wurde</label>');
  });

  it('is stored with each answer (history kept); a value that is not a choice is refused with a 400 page', async () => {
    expect((await post({ score: '1', whatMattered: 'reliability' })).status).toBe(303);
    const refused = await post({ score: '2', whatMattered: 'price' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toMatch(/Please choose one of the listed answers|Bitte wählen Sie eine der angebotenen Antworten/);
    expect((await post({ score: '2', whatMattered: 'empathy' })).status).toBe(303);
    expect((await post({ score: '2' })).status).toBe(303); // optional
    expect(await answers()).toEqual([
      { score: 1, what_mattered: 'reliability', is_active: false },
      { score: 2, what_mattered: 'empathy', is_active: false },
      { score: 2, what_mattered: null, is_active: true },
    ]);
    // The page shows the standing answer's choice; the facts carry it.
    expect((await post({ score: '2', whatMattered: 'assurance' })).status).toBe(303);
    expect((await h.api('GET', link, undefined, { token: null })).body).toContain('value="assurance" id="wm-assurance" checked');
    const facts = await sql<{ what_mattered: string }>`SELECT what_mattered FROM survey_facts`.execute(h.te.db);
    expect(facts.rows).toEqual([{ what_mattered: 'assurance' }]);
  });

  it('off for a connector: not shown, and a posted value is ignored', async () => {
    expect((await h.api('PATCH', '/admin/connectors/snow', { survey: { askWhatMattered: false } })).status).toBe(200);
    // Connector definitions are cached for up to 2 s per process.
    await waitFor('the page without the question', async () => !(await h.api('GET', link, undefined, { token: null })).body.includes('what-mattered'));
    expect((await post({ score: '1', whatMattered: 'empathy' })).status).toBe(303);
    expect((await answers()).at(-1)).toEqual({ score: 1, what_mattered: null, is_active: true });
  });

  it('the follow-up task lists the outcome codes; its close notes are read back into a code and the free text', async () => {
    const f = await waitFor('the follow-up task', async () => h.te.db.selectFrom('follow_ups').select(['id', 'external_id', 'due_at', 'status']).where('status', '=', 'open').executeTakeFirst());
    const task = h.sim.table('incident_task').find((t) => t.sys_id === f.external_id)!;
    expect(task.description).toContain('Close this task with one of these codes at the start of the close notes');
    expect(task.description).toContain('  could_not_reach\n');
    expect(task.description).toContain('  escalated_further\n');
    await fetch(`${h.sim.url}/api/now/table/incident_task/${f.external_id}`, {
      method: 'PATCH',
      headers: { authorization: `Basic ${Buffer.from('integration:integration-pass').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: '3', close_notes: 'Could not reach – voicemail twice, left a message' }),
    });
    expect(await checkFollowUpSla(h.service.ctx, f.id, 0)).toMatch(/^closed/);
    const row = await h.te.db.selectFrom('follow_ups').select(['status', 'outcome', 'outcome_code']).where('id', '=', f.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'closed', outcome: 'Could not reach – voicemail twice, left a message', outcome_code: 'could_not_reach' });
    const facts = await sql<{ code: string }>`SELECT follow_up_outcome_code AS code FROM survey_facts WHERE follow_up_id = ${f.id}`.execute(h.te.db);
    expect(facts.rows).toEqual([{ code: 'could_not_reach' }]);
  });

  it('refuses a bad outcome code list with the key and the reason', async () => {
    const bad = await h.api('PATCH', '/admin/connectors/snow', { followUp: { outcomeCodes: ['Resolved!', 'resolved', 'resolved'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/followUp.outcomeCodes.0: must be a lowercase code/);
    expect(bad.body.message).toMatch(/followUp.outcomeCodes: must not repeat a code/);
  });
});
