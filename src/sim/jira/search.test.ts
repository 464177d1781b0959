import { describe, expect, it } from 'vitest';
import { fixture, seed } from './test-support.js';

describe('GET/POST /rest/api/3/search/jql', () => {
  it('returns ids only by default and pages with nextPageToken until isLast (token absent on the last page)', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 7);
    const jql = 'project = SUP ORDER BY key ASC';
    const first = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&maxResults=3`);
    expect(first.status).toBe(200);
    expect(first.body.issues).toEqual(issues.slice(0, 3).map((i) => ({ id: i.id })));
    expect(first.body.isLast).toBe(false);
    expect(typeof first.body.nextPageToken).toBe('string');

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await f.send('POST', '/rest/api/3/search/jql', { jql, maxResults: 3, fields: ['summary', 'status'], ...(token ? { nextPageToken: token } : {}) });
      expect(r.status).toBe(200);
      pages++;
      for (const i of r.body.issues) {
        expect(Object.keys(i.fields).sort()).toEqual(['status', 'summary']);
        expect(i.self).toBe(`https://sim.atlassian.net/rest/api/3/issue/${i.id}`);
        seen.push(i.key);
      }
      if (r.body.isLast) {
        expect('nextPageToken' in r.body).toBe(false);
        break;
      }
      token = r.body.nextPageToken;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(issues.map((i) => i.key));
    expect(f.sim.stats().invalidBodies).toEqual([]);
  });

  it('accepts *all, *navigable, exclusions and repeated fields params', async () => {
    const f = fixture();
    seed(f.sim, 1);
    const all = await f.get('/rest/api/3/search/jql?jql=project%3DSUP&fields=*all');
    expect(all.body.issues[0].fields).toHaveProperty('comment');
    const nav = await f.get('/rest/api/3/search/jql?jql=project%3DSUP&fields=*navigable,-description');
    expect(nav.body.issues[0].fields).not.toHaveProperty('comment');
    expect(nav.body.issues[0].fields).not.toHaveProperty('description');
    expect(nav.body.issues[0].fields.reporter.displayName).toBe('Rita Reporter');
    const rep = await f.get('/rest/api/3/search/jql?jql=project%3DSUP&fields=summary&fields=labels');
    expect(Object.keys(rep.body.issues[0].fields).sort()).toEqual(['labels', 'summary']);
  });

  it('rejects unbounded queries and bad JQL with 400 and Jira\'s error shape', async () => {
    const f = fixture();
    seed(f.sim, 1);
    for (const jql of ['', 'ORDER BY updated DESC']) {
      const r = await f.send('POST', '/rest/api/3/search/jql', { jql });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'], errors: {} });
    }
    const unknownField = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent('colour = red')}`);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toEqual({ errorMessages: ["Field 'colour' does not exist or you do not have permission to view it."], errors: {} });
    const syntax = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent('project SUP')}`);
    expect(syntax.status).toBe(400);
    expect(syntax.body.errorMessages[0]).toMatch(/^Error in the JQL Query: Expecting operator but got 'SUP'.*\(line 1, character 9\)$/);
    const value = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent('project = NOPE')}`);
    expect(value.body.errorMessages).toEqual(["The value 'NOPE' does not exist for the field 'project'."]);
    const date = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent('project = SUP AND updated >= "2025-13-01"')}`);
    expect(date.body.errorMessages[0]).toMatch(/^Date value '2025-13-01' for field 'updated' is invalid/);
    const quote = await f.get(`/rest/api/3/search/jql?jql=${encodeURIComponent('summary ~ "open')}`);
    expect(quote.body.errorMessages[0]).toMatch(/has not been completed/);
    expect(f.sim.stats().invalidBodies.length).toBe(7);
  });

  it('filters by statusCategory, status lists, issuetype, labels, updated windows and orders by updated', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 4);
    const [a, b, c, d] = issues as [{ key: string; id: string }, { key: string; id: string }, { key: string; id: string }, { key: string; id: string }];
    f.sim.transition(c.key, 'Done', new Date('2025-06-01T10:30:00Z'));
    f.sim.transition(a.key, 'Closed', new Date('2025-06-01T09:00:00Z'));
    f.sim.transition(b.key, 'In Progress', new Date('2025-06-01T11:00:00Z'));
    f.sim.transition(d.key, 'Resolved', new Date('2025-06-01T08:00:00Z'));
    const keys = async (jql: string) => {
      const r = await f.send('POST', '/rest/api/3/search/jql', { jql, fields: ['key'] });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.issues.map((i: { key: string }) => i.key);
    };
    expect(await keys('project = SUP AND statusCategory = Done AND updated >= "2025-06-01 09:00" ORDER BY updated ASC')).toEqual([a.key, c.key]);
    expect(await keys('project in (SUP, DEV) AND statusCategory = Done ORDER BY updated DESC')).toEqual([c.key, a.key, d.key]);
    expect(await keys('project = SUP AND status in ("Done", "Closed") ORDER BY key ASC')).toEqual([a.key, c.key]);
    expect(await keys('project = SUP AND updated < "2025-06-01 09:00"')).toEqual([d.key]);
    expect(await keys('project = SUP AND updated <= "2025-06-01 09:00" ORDER BY updated')).toEqual([d.key, a.key]);
    expect(await keys('project = SUP AND updated > "2025/06/01 10:30"')).toEqual([b.key]);
    expect(await keys('issuetype in ("Service Request", Task) AND labels = hardware AND statusCategory != Done')).toEqual([b.key]);
    expect(await keys('project = SUP AND (status = "In Progress" OR resolution = Done) AND NOT status = Closed ORDER BY key')).toEqual([b.key, c.key, d.key]);
    expect(await keys('project = SUP AND resolution is EMPTY')).toEqual([b.key]);
    expect(await keys('project = SUP AND status CHANGED TO Done AFTER "2025-06-01 10:00"')).toEqual([c.key]);
    expect(await keys('labels = "missing-label"')).toEqual([]);
    expect(await keys(`key in (${a.key}, ${b.key}) ORDER BY key DESC`)).toEqual([b.key, a.key]);
  });

  it('reads JQL dates in the searching user\'s time zone', async () => {
    const f = fixture({ users: [{ email: 'bot@example.com', apiToken: 'api-token', timeZone: 'Europe/Berlin' }] });
    const { issues } = seed(f.sim, 1);
    f.sim.transition(issues[0]!.key, 'Done', new Date('2025-06-01T10:30:00Z')); // 12:30 in Berlin
    const q = async (t: string) => (await f.send('POST', '/rest/api/3/search/jql', { jql: `project = SUP AND updated >= "${t}"`, fields: ['updated'] })).body.issues;
    expect(await q('2025-06-01 12:30')).toHaveLength(1);
    expect(await q('2025-06-01 12:31')).toHaveLength(0);
    expect((await q('2025-06-01 12:00'))[0].fields.updated).toBe('2025-06-01T12:30:00.000+0200');
  });

  it('caps maxResults (100 with fields, 5000 for ids) and rejects a token from another query', async () => {
    const f = fixture();
    seed(f.sim, 120);
    const withFields = await f.send('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', maxResults: 1000, fields: ['summary'] });
    expect(withFields.body.issues).toHaveLength(100);
    const ids = await f.send('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', maxResults: 1000 });
    expect(ids.body.issues).toHaveLength(120);
    expect(ids.body.isLast).toBe(true);
    const bad = await f.send('POST', '/rest/api/3/search/jql', { jql: 'project = DEV', nextPageToken: withFields.body.nextPageToken });
    expect(bad.status).toBe(400);
    const startAt = await f.send('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', startAt: 100 });
    expect(startAt.status).toBe(400);
    expect(startAt.body.errorMessages).toEqual(['Unrecognized field "startAt"']);
  });

  it('is eventually consistent when searchLagMs is set (reconcileIssues reads through)', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    f.sim.setFaults({ searchLagMs: 200 });
    f.sim.transition(issues[0]!.key, 'Done');
    const jql = 'project = SUP AND statusCategory = Done';
    expect((await f.send('POST', '/rest/api/3/search/jql', { jql })).body.issues).toHaveLength(0);
    expect((await f.send('POST', '/rest/api/3/search/jql', { jql, reconcileIssues: [Number(issues[0]!.id)] })).body.issues).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 220));
    expect((await f.send('POST', '/rest/api/3/search/jql', { jql })).body.issues).toHaveLength(1);
  });

  it('the old /rest/api/3/search is gone (410)', async () => {
    const f = fixture();
    const r = await f.get('/rest/api/3/search?jql=project%3DSUP');
    expect(r.status).toBe(410);
    expect(r.body.errorMessages[0]).toMatch(/search\/jql/);
  });
});
