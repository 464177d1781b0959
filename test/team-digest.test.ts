import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import { sendDigest } from '../src/digest/send.js';
import { reconcileDigests } from '../src/digest/reconcile.js';
import { insertDigests, loadDigest } from '../src/digest/store.js';
import { weekStarting } from '../src/digest/period.js';
import type { MemoryTransport } from '../src/mail/memory-transport.js';
import { waitFor } from './support/env.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * The weekly team digest end to end against real Postgres, Redis and the ServiceNow simulator:
 * planned per team (addresses from the connector or the ServiceNow group), sent once through the
 * mail transport, small groups withheld, never twice for a week — also under concurrent jobs, and a
 * crash between claim and send leaves it unknown, not re-sent.
 */
const at = (s: string) => new Date(`${s}Z`);
let n = 0;
function past(team: { id: string; name: string }, agent: string, sent: string, score: number | null, comment: string | null = null, followUp: PastSurvey['followUp'] = null): PastSurvey {
  n++;
  const sentAt = at(sent);
  return {
    connectorId: 'snow',
    ticket: { externalId: `d${n}`, key: `INC${3000 + n}`, title: 'x', category: 'network', priority: '3', groupId: team.id, groupName: team.name, assigneeId: agent, assigneeName: agent },
    requester: { email: `p${n}@example.com`, name: `P ${n}` },
    scale: 'csat',
    sentAt,
    answer: score === null ? null : { score, comment, submittedAt: new Date(sentAt.getTime() + 3600_000) },
    followUp,
  };
}

describe('team digest', () => {
  let h: Harness;
  let mails: MemoryTransport;
  const sd = { id: 'g-sd', name: 'Service Desk' };
  let network: { id: string; name: string };
  const hardware = { id: 'g-hw', name: 'Hardware' };
  const digestsOf = (id: string) => mails.sent.filter((m) => m.tags.digest_id === id);

  beforeAll(async () => {
    h = await startHarness({ RECONCILE_INTERVAL_SECONDS: '3600' });
    mails = h.service.ctx.mail.transport as MemoryTransport;
    const g = h.sim.createGroup({ name: 'Network', email: 'network-team@acme.example' });
    network = { id: g.sys_id!, name: 'Network' };
    const res = await h.api('POST', '/admin/connectors', snowConnector(h.sim, {
      intake: { mode: 'push' },
      analytics: { digest: { enabled: true, day: 1, hour: 8, timeZone: 'Europe/Berlin', teamEmails: { 'Service Desk': 'sd-leads@acme.example' }, teamLocales: { Network: 'de' } } },
    }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await insertPastSurveys(h.te.db, [
      // Week of 16 Nov (Berlin): Service Desk, agent A: 5, 5, 4, 4, 1, 2 and one unanswered → CSAT 4/6 = 67%, response 6/7.
      past(sd, 'A', '2026-11-16T10:00:00', 5, 'Great & quick'),
      past(sd, 'A', '2026-11-17T10:00:00', 5),
      past(sd, 'A', '2026-11-17T11:00:00', 4),
      past(sd, 'A', '2026-11-18T10:00:00', 4),
      past(sd, 'A', '2026-11-18T11:00:00', 1, 'VPN drops <b>every</b> hour', { createdAt: at('2026-11-18T12:05:00'), dueAt: at('2026-11-19T12:00:00'), closedAt: null, outcome: null }),
      past(sd, 'A', '2026-11-19T10:00:00', 2, 'vpn drops again'),
      past(sd, 'A', '2026-11-20T10:00:00', null),
      // The week before: 5, 5, 5, 4, 3 → 80%.
      ...[5, 5, 5, 4, 3].map((s, i) => past(sd, 'A', `2026-11-1${i}T10:00:00`, s, i === 0 ? 'printer works fine' : null)),
      // Network: this week two answers, both agent N (below 5): withheld, comment included.
      past(network, 'N', '2026-11-17T10:00:00', 5),
      past(network, 'N', '2026-11-18T10:00:00', 1, 'secret agent issue'),
      // Hardware has no address anywhere: skipped.
      past(hardware, 'H', '2026-11-17T10:00:00', 4),
    ]);
  });
  afterAll(() => h?.close());

  it('plans one digest per team, sends each once to its address, in its language', async () => {
    const plan = await h.api('POST', '/admin/digests/plan', { connector: 'snow', period: '2026-11-16' });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toEqual({ week: '2026-11-16', teams: 3, added: 3, enqueued: 2, skipped: 1 });
    await waitFor('two digests', () => mails.sent.filter((m) => m.tags.kind === 'digest').length >= 2);

    const sdMail = mails.sent.find((m) => m.to === 'sd-leads@acme.example')!;
    expect(sdMail.subject).toBe('Customer feedback for Service Desk: week of Nov 16, 2026');
    expect(sdMail.html).toContain('CSAT this week: 67%');
    expect(sdMail.html).toContain('80% → 67%');
    expect(sdMail.html).toContain('67%: 6 of 7 surveys answered'.replace('67%', '86%'));
    expect(sdMail.html).toContain('VPN drops &lt;b&gt;every&lt;/b&gt; hour');
    expect(sdMail.html.indexOf('vpn drops again')).toBeLessThan(sdMail.html.indexOf('Great &amp; quick')); // detractors first
    expect(sdMail.html).toContain('“vpn drops”: 2 comments (67%; the week before 0%)');
    expect(sdMail.html).toContain('1 open, 1 overdue now');
    expect(sdMail.html).toContain(`${h.sim.url}/nav_to.do?uri=`);
    expect(sdMail.text).toContain('"VPN drops <b>every</b> hour"');
    expect(sdMail.html).not.toContain('printer works fine'); // last week's comment

    // Network: the address comes from the ServiceNow group; German; one agent below 5 answers → withheld.
    const netMail = mails.sent.find((m) => m.to === 'network-team@acme.example')!;
    expect(netMail.subject).toBe('Kundenfeedback für Network: Woche vom 16.11.2026');
    expect(netMail.html).toContain('weniger als 5');
    expect(netMail.html).not.toContain('secret agent issue');

    const ledger = (await h.api('GET', '/admin/digests?period=2026-11-16')).body.digests;
    expect(ledger.map((d: any) => [d.teamLabel, d.status, d.recipient])).toEqual([
      ['Hardware', 'skipped', null],
      ['Network', 'sent', 'network-team@acme.example'],
      ['Service Desk', 'sent', 'sd-leads@acme.example'],
    ]);
    expect(ledger[0].reason).toMatch(/no address/);

    // Planned again (the schedule fires twice, an admin presses the button): nothing new, nothing resent.
    const again = await h.api('POST', '/admin/digests/plan', { connector: 'snow', period: '2026-11-16' });
    expect(again.body).toMatchObject({ added: 0, enqueued: 0 });
    await reconcileDigests(h.service.ctx);
    expect(mails.sent.filter((m) => m.tags.kind === 'digest')).toHaveLength(2);
  });

  it('never twice under concurrent jobs for the same digest', async () => {
    await insertDigests(h.te.db, [{ connectorId: 'snow', teamKey: `snow:${sd.id}`, teamLabel: sd.name, period: weekStarting('2026-11-09', 'Europe/Berlin')!, locale: 'en', recipient: 'sd-leads@acme.example', skipReason: null }]);
    const row = (await h.api('GET', '/admin/digests?period=2026-11-09')).body.digests[0];
    const results = await Promise.all(Array.from({ length: 6 }, () => sendDigest(h.service.ctx, row.id)));
    expect(results.filter((r) => r === 'sent')).toHaveLength(1);
    expect(digestsOf(row.id)).toHaveLength(1);
    expect((await loadDigest(h.te.db, row.id))!.status).toBe('sent');
  });

  it('a crash between claim and send leaves it unknown: not re-sent (as for surveys)', async () => {
    await insertDigests(h.te.db, [{ connectorId: 'snow', teamKey: `snow:${sd.id}`, teamLabel: sd.name, period: weekStarting('2026-11-02', 'Europe/Berlin')!, locale: 'en', recipient: 'sd-leads@acme.example', skipReason: null }]);
    const row = (await h.api('GET', '/admin/digests?period=2026-11-02')).body.digests[0];
    // The claim a killed worker left behind.
    await h.te.db.updateTable('digests').set({ status: 'sending', claimed_at: new Date(Date.now() - 3600_000), attempts: 1 }).where('id', '=', row.id).execute();
    expect(await sendDigest(h.service.ctx, row.id)).toBe('nothing to do: digest is sending');
    expect(await reconcileDigests(h.service.ctx)).toMatchObject({ unknown: 1 });
    expect(await sendDigest(h.service.ctx, row.id)).toBe('nothing to do: digest is unknown');
    expect(digestsOf(row.id)).toHaveLength(0);

    // An answer lost on the wire (a timeout after the request left) is unknown too, and a retry sends nothing.
    await insertDigests(h.te.db, [{ connectorId: 'snow', teamKey: `snow:${sd.id}`, teamLabel: sd.name, period: weekStarting('2026-10-26', 'Europe/Berlin')!, locale: 'en', recipient: 'sd-leads@acme.example', skipReason: null }]);
    const lost = (await h.api('GET', '/admin/digests?period=2026-10-26')).body.digests[0];
    mails.failNext('ambiguous');
    expect(await sendDigest(h.service.ctx, lost.id)).toMatch(/^unknown: /);
    expect(await sendDigest(h.service.ctx, lost.id)).toBe('nothing to do: digest is unknown');
    expect(digestsOf(lost.id)).toHaveLength(0);
    // Certainly not sent (throttled): released and sent by the retry.
    await insertDigests(h.te.db, [{ connectorId: 'snow', teamKey: `snow:${sd.id}`, teamLabel: sd.name, period: weekStarting('2026-10-19', 'Europe/Berlin')!, locale: 'en', recipient: 'sd-leads@acme.example', skipReason: null }]);
    const throttled = (await h.api('GET', '/admin/digests?period=2026-10-19')).body.digests[0];
    mails.failNext('retryable', 'retryable', 'retryable', 'retryable');
    await expect(sendDigest(h.service.ctx, throttled.id)).rejects.toThrow(/scripted retryable/);
    expect((await loadDigest(h.te.db, throttled.id))!.status).toBe('pending');
    expect(await sendDigest(h.service.ctx, throttled.id)).toBe('sent');
  });

  it('preview: HTML, text and JSON for any team and week; clear 4xx for bad input', async () => {
    const team = encodeURIComponent(`snow:${sd.id}`);
    const html = await h.service.app!.inject({ method: 'GET', url: `/admin/digests/preview?team=${team}&period=2026-11-16`, headers: { authorization: `Bearer ${h.te.config.ADMIN_TOKEN}` } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(html.body).toContain('CSAT this week: 67%');
    const basic = await h.service.app!.inject({ method: 'GET', url: `/admin/digests/preview?team=${team}&period=2026-11-16&format=text&locale=de`, headers: { authorization: `Basic ${Buffer.from(`x:${h.te.config.ADMIN_TOKEN}`).toString('base64')}` } });
    expect(basic.statusCode).toBe(200);
    expect(basic.body).toContain('CSAT diese Woche: 67');
    const json = await h.api('GET', `/admin/digests/preview?team=${team}&period=2026-11-16&format=json`);
    expect(json.body).toMatchObject({ team: { label: 'Service Desk' }, locale: 'en', recipient: 'sd-leads@acme.example', week: { start: '2026-11-16', timeZone: 'Europe/Berlin' } });
    const hw = await h.api('GET', `/admin/digests/preview?team=snow:g-hw&format=json&period=2026-11-16`);
    expect(hw.body.recipientProblem).toMatch(/no address/);

    const bad: [string, number, RegExp][] = [
      [`team=${team}&period=2026-11-18`, 400, /period: 2026-11-18 is not a Monday/],
      [`team=${team}&period=16.11.2026`, 400, /period: must be a date/],
      [`team=${team}&format=pdf`, 400, /format/],
      [`team=${team}&locale=fr`, 400, /locale: must be one of/],
      ['team=nocolon', 400, /team: must be a team key/],
      ['', 400, /team/],
      ['team=jira-x:g1', 404, /no connector jira-x/],
      ['team=snow:nobody', 404, /no surveys for snow:nobody/],
    ];
    for (const [q, status, message] of bad) {
      const r = await h.api('GET', `/admin/digests/preview?${q}`);
      expect(r.status, q).toBe(status);
      expect(r.body.message, q).toMatch(message);
    }
    expect((await h.api('GET', `/admin/digests/preview?team=${team}`, undefined, { token: null })).status).toBe(401);
    expect((await h.api('POST', '/admin/digests/plan', { connector: 'snow', period: '2026-11-17' })).status).toBe(400);
    expect((await h.api('POST', '/admin/digests/plan', { connector: 'nope' })).status).toBe(404);
    expect((await h.api('POST', '/admin/digests/plan', { connector: 'snow', extra: 1 })).status).toBe(400);
    expect((await h.api('GET', '/admin/digests?status=lost')).status).toBe(400);
  });

  it('the scheduler role owns one cron job scheduler per connector, in its time zone', async () => {
    await h.service.scheduler!.sync();
    const schedulers = await h.service.ctx.queues.get('digestplan').getJobSchedulers(0, -1);
    expect(schedulers.find((s) => s.key === 'digest-every-snow')).toMatchObject({ pattern: '0 8 * * 1', tz: 'Europe/Berlin' });
    expect((await h.api('PATCH', '/admin/connectors/snow', { analytics: { digest: { enabled: false } } })).status).toBe(200);
    await h.service.scheduler!.sync();
    expect((await h.service.ctx.queues.get('digestplan').getJobSchedulers(0, -1)).map((s) => s.key)).not.toContain('digest-every-snow');
    const bad = await h.api('PATCH', '/admin/connectors/snow', { analytics: { digest: { timeZone: 'Mars/Olympus', hour: 24 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/analytics.digest.timeZone: must be an IANA time zone/);
    expect(bad.body.message).toMatch(/analytics.digest.hour/);
  });
});
