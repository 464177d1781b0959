import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/env.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { hrefs, sesEnv, startSes, type EmulatedMail } from './support/ses.js';

type Ses = Awaited<ReturnType<typeof startSes>>;

/** Closes a new incident for `email` in the simulator and pushes it; resolves with the survey email. */
async function closeAndReceive(h: Harness, ses: Ses, email: string, title = 'Laptop will not boot'): Promise<EmulatedMail> {
  const caller = h.sim.createUser({ user_name: email, name: 'Riley Requester', email, preferred_language: 'en', time_zone: 'Europe/Berlin' });
  const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: title });
  const closed = h.sim.closeIncident(inc.sys_id!);
  const r = await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id, sys_updated_on: closed.sys_updated_on }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
  expect(r.status).toBe(202);
  return waitFor(`an email to ${email}`, async () => (await ses.mails()).find((m) => m.destination.to.includes(email)));
}

const path = (url: string) => new URL(url).pathname + new URL(url).search;
const responses = (h: Harness) => h.te.db.selectFrom('responses').selectAll().orderBy('id').execute();
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

describe('survey delivery through SES, answered on the page', () => {
  let h: Harness;
  let ses: Ses;
  let mail: EmulatedMail;
  beforeAll(async () => {
    ses = await startSes();
    h = await startHarness(sesEnv(ses.url), { captureLogs: true });
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim))).status).toBe(201);
    mail = await closeAndReceive(h, ses, 'riley@example.com');
  });
  afterAll(async () => {
    await h?.close();
    await ses?.close();
  });

  it('sends one well-formed email: HTML and text, one link per rating, both unsubscribe headers', async () => {
    expect(mail.from).toBe('"IT Service Desk" <feedback@it.example.com>');
    expect(mail.subject).toMatch(/INC\d+/);
    const html = mail.body.html!;
    const text = mail.body.text!;
    const ratingLinks = hrefs(html).filter((u) => u.includes('?r='));
    expect(ratingLinks.map((u) => new URL(u).searchParams.get('r'))).toEqual(['1', '2', '3', '4', '5']);
    for (let r = 1; r <= 5; r++) expect(text).toContain(`?r=${r}`);
    const header = (n: string) => mail.headers?.find((x) => x.name.toLowerCase() === n.toLowerCase())?.value;
    expect(header('List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:3000\/u\/[A-Za-z0-9_-]{43}>$/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // The email reaches SES a moment before its outcome is stored.
    const survey = await waitFor('the survey marked sent', async () => (await h.te.db.selectFrom('surveys').selectAll().where('status', '=', 'sent').executeTakeFirst()) ?? null);
    expect(survey).toMatchObject({ status: 'sent', message_id: mail.messageId });
    // Only hashes are stored: no token from the email appears in the database.
    const token = new URL(ratingLinks[0]!).pathname.split('/')[2]!;
    const tokens = await h.te.db.selectFrom('survey_tokens').selectAll().execute();
    expect(tokens.map((t) => t.token_hash.length)).toEqual([32, 32]);
    expect(JSON.stringify(tokens)).not.toContain(token);
  });

  it('records nothing when every link is fetched (GET and HEAD, repeatedly) as mail scanners do', async () => {
    const links = hrefs(mail.body.html!).filter((u) => u.includes('/s/') || u.includes('/u/'));
    for (let round = 0; round < 3; round++) {
      for (const link of links) {
        for (const method of ['GET', 'HEAD'] as const) expect((await h.api(method, path(link), undefined, { token: null })).status).toBe(200);
      }
    }
    expect(await responses(h)).toEqual([]);
    expect(await h.te.db.selectFrom('suppressions').selectAll().execute()).toEqual([]);
  });

  it('shows the clicked rating preselected, and records a POST from the page; a second POST wins, history kept', async () => {
    const link = hrefs(mail.body.html!).find((u) => u.endsWith('?r=4'))!;
    const page = await h.api('GET', path(link), undefined, { token: null });
    expect(page.body).toMatch(/<input[^>]*value="4"[^>]*checked|<input[^>]*checked[^>]*value="4"/);
    expect(page.body.match(/checked/g)).toHaveLength(1);
    const target = new URL(link).pathname;
    const first = await h.api('POST', target, undefined, { token: null, headers: formHeaders, rawBody: form({ _csrf: csrfOf(page.body), score: '4', comment: 'Quick fix, thanks!', website: '' }) });
    expect(first.status).toBe(303);
    const thanks = await h.api('GET', `${target}/thanks?r=4`, undefined, { token: null });
    expect(thanks.status).toBe(200);
    const second = await h.api('POST', target, undefined, { token: null, headers: formHeaders, rawBody: form({ _csrf: csrfOf(page.body), score: '2', comment: 'Actually it broke again' }) });
    expect(second.status).toBe(303);
    const rows = await responses(h);
    expect(rows.map((r) => [r.score, r.is_active, r.flagged])).toEqual([[4, false, false], [2, true, false]]);
    expect(rows[1]!.comment).toBe('Actually it broke again');
    // Reopening the page shows the standing answer.
    const again = await h.api('GET', target, undefined, { token: null });
    expect(again.body).toContain('Actually it broke again');
  });

  it('keeps but does not activate suspicious submits, and refuses forged forms', async () => {
    const target = new URL(hrefs(mail.body.html!).find((u) => u.includes('/s/'))!).pathname;
    const page = await h.api('GET', target, undefined, { token: null });
    const bot = await h.api('POST', target, undefined, { token: null, headers: { ...formHeaders, 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel)' }, rawBody: form({ _csrf: csrfOf(page.body), score: '5', website: 'http://spam.example' }) });
    expect(bot.status).toBe(303);
    const last = (await responses(h)).at(-1)!;
    expect(last).toMatchObject({ score: 5, flagged: true, is_active: false });
    expect(last.flag_reasons.sort()).toEqual(['bot_user_agent', 'honeypot_filled']);
    expect((await responses(h)).find((r) => r.is_active)?.score).toBe(2);
    const forged = await h.api('POST', target, undefined, { token: null, headers: formHeaders, rawBody: form({ _csrf: '1.forged', score: '1' }) });
    expect(forged.status).toBe(403);
    const invalid = await h.api('POST', target, undefined, { token: null, headers: formHeaders, rawBody: form({ _csrf: csrfOf(page.body), score: '9' }) });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('role="alert"');
  });

  it('sends the page security headers', async () => {
    const target = new URL(hrefs(mail.body.html!).find((u) => u.includes('/s/'))!).pathname;
    const res = await h.service.app!.inject({ method: 'GET', url: target });
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(res.body).toContain('noindex');
  });

  it('opts out at once with the RFC 8058 one-click POST; an admin can lift it', async () => {
    const unsub = mail.headers!.find((x) => x.name === 'List-Unsubscribe')!.value.slice(1, -1);
    const r = await h.api('POST', path(unsub), undefined, { token: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: 'List-Unsubscribe=One-Click' });
    expect(r.status).toBe(200);
    expect((await h.api('GET', '/admin/suppressions')).body.suppressions).toMatchObject([{ email: 'riley@example.com', reason: 'unsubscribed' }]);
    // The next closure for this person is suppressed.
    const caller = h.sim.table('sys_user').find((u) => u.email === 'riley@example.com')!;
    const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'again' });
    h.sim.closeIncident(inc.sys_id!);
    await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
    await waitFor('the suppressed decision', async () => (await h.te.db.selectFrom('survey_decisions').select('reason').where('reason', '=', 'suppression_list').executeTakeFirst()) !== undefined);
    expect((await h.api('DELETE', '/admin/suppressions/Riley@Example.com')).status).toBe(204);
    expect((await h.api('GET', '/admin/suppressions')).body.suppressions).toEqual([]);
  });

  it('answers 404 for 1,000 random tokens, writes nothing, and logs no token', async () => {
    const before = await h.te.db.selectFrom('responses').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const tokens = Array.from({ length: 1000 }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'));
    const pages = new Set<string>();
    for (const [i, t] of tokens.entries()) {
      const method = i % 3 === 0 ? 'POST' : 'GET';
      const url = i % 2 ? `/s/${t}?r=3` : `/u/${t}`;
      const res = await h.service.app!.inject({ method, url, headers: formHeaders, payload: method === 'POST' ? form({ score: '3' }) : undefined, remoteAddress: `10.0.${i % 250}.${(i * 7) % 250}` });
      expect(res.statusCode).toBe(404);
      pages.add(res.body);
    }
    expect(pages.size).toBe(1); // unknown and expired look the same: one 404 page
    const after = await h.te.db.selectFrom('responses').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // No token — neither these nor the real ones from the email — in any log line, at debug level.
    const realTokens = hrefs(mail.body.html!).filter((u) => /\/(s|u)\//.test(u)).map((u) => new URL(u).pathname.split('/')[2]!);
    const log = h.logs.join('');
    expect(h.logs.length).toBeGreaterThan(0);
    for (const t of [...tokens, ...realTokens]) expect(log.includes(t)).toBe(false);
  });
});
