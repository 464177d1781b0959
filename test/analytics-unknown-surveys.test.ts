import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { snowConnector, startHarness, WEBHOOK_SECRET, type Harness } from './support/harness.js';

/**
 * A survey whose send outcome was lost ('unknown': claimed for sending, maybe delivered, its links
 * work) is answered by a detractor through the real survey page. The answer, its detractor and its
 * follow-up task must show in every figure and in answers.csv, counted at the survey's claim time.
 */
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

describe('analytics: answers to surveys whose send outcome is unknown', () => {
  let h: Harness;
  let surveyId: string;
  let claimedAt: Date;
  beforeAll(async () => {
    // One agent's single answer: with the default minimum group size the dashboard would withhold it all.
    h = await startHarness({ STATS_MIN_GROUP_SIZE: '1' });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { writeBack: { debounceSeconds: 0 } }))).status).toBe(201);
    const caller = h.sim.createUser({ user_name: 'lost', name: 'Lou Lost', email: 'lou@example.com' });
    const group = h.sim.createGroup({ name: 'Service Desk' });
    const agent = h.sim.createUser({ user_name: 'agent', name: 'Agent Smith', email: 'agent@it.example.com' });
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'VPN', category: 'network', assignment_group: group.sys_id!, assigned_to: agent.sys_id!, priority: '2' });
    h.sim.closeIncident(inc.sys_id!, { resolved_by: agent.sys_id! });
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    const transport = h.service.ctx.mail.transport as MemoryTransport;
    await waitFor('the survey email', () => transport.sent.length === 1);
    const s = await waitFor('the survey marked sent', () => h.te.db.selectFrom('surveys').select(['id', 'claimed_at']).where('status', '=', 'sent').executeTakeFirst());
    surveyId = s.id;
    claimedAt = s.claimed_at!;
    // What the reconciler leaves when a worker died between the send and recording it: the email may
    // have gone, its outcome (and so its send time) is unknown.
    await h.te.db.updateTable('surveys').set({ status: 'unknown', sent_at: null, message_id: null, failed_reason: 'claimed for sending but no outcome was recorded' }).where('id', '=', surveyId).execute();

    const path = new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(transport.sent[0]!.html)![1]!).pathname;
    const page = await h.api('GET', path, undefined, { token: null });
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const posted = await h.api('POST', path, undefined, { token: null, headers: formHeaders, rawBody: new URLSearchParams({ _csrf: csrf, score: '1', comment: 'VPN still broken' }).toString() });
    expect(posted.status).toBe(303);
    await waitFor('the follow-up task', () => h.te.db.selectFrom('follow_ups').select('id').where('status', '=', 'open').executeTakeFirst());
  }, 60_000);
  afterAll(() => h?.close());

  it('counts the survey as sent and its answer and detractor in the stats', async () => {
    const res = await h.api('GET', '/admin/stats?groupBy=team');
    expect(res.status).toBe(200);
    expect(res.body.total.funnel).toMatchObject({ sent: 1, answered: 1, responseRate: 1 });
    expect(res.body.total.csat).toMatchObject({ n: 1, topTwo: 0 });
    expect(res.body.total.detractors).toBe(1);
    expect(res.body.groups.map((g: any) => g.label)).toEqual(['Service Desk']);
  });

  it('counts its follow-up task, its comment in the themes and the latest comments', async () => {
    const fu = await h.api('GET', '/admin/stats/follow-ups');
    expect(fu.body.total).toMatchObject({ detractors: 1, tasksCreated: 1, open: 1 });
    const themes = await h.api('GET', '/admin/stats/themes');
    expect(themes.body.overall.comments).toBe(1);
    const page = await h.api('GET', '/admin/dashboard');
    expect(page.status).toBe(200);
    expect(page.body).toContain('VPN still broken');
  });

  it('exports the answer in answers.csv, with the claim time as the time it counts at', async () => {
    const csv = await h.api('GET', '/admin/export/answers.csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${surveyId},snow,`);
    expect(lines[1]).toContain(`,csat,1,yes,VPN still broken,${claimedAt.toISOString()},`);
  });
});
