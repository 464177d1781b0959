import { describe, expect, it } from 'vitest';
import { adf, BEARER, fixture, seed } from './test-support.js';

describe('issues', () => {
  it('GET issue: all fields by default, ?fields= subsets, 404 with Jira\'s message', async () => {
    const f = fixture();
    const { issues, reporter } = seed(f.sim, 1);
    const r = await f.get(`/rest/api/3/issue/${issues[0]!.key}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: issues[0]!.id, key: 'SUP-1', self: `https://sim.atlassian.net/rest/api/3/issue/${issues[0]!.id}` });
    expect(r.body.fields).toMatchObject({
      summary: 'Printer 1 jammed',
      status: { name: 'To Do', statusCategory: { key: 'new' } },
      resolution: null,
      resolutiondate: null,
      project: { key: 'SUP', projectTypeKey: 'service_desk' },
      issuetype: { name: 'Service Request' },
      priority: { name: 'Medium', id: '3' },
      labels: ['hardware'],
      components: [{ name: 'Printers' }],
      reporter: { accountId: reporter.accountId, displayName: 'Rita Reporter', timeZone: 'Europe/Berlin' },
    });
    expect(r.body.fields.reporter).not.toHaveProperty('emailAddress');
    expect(r.body.fields.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const sub = await f.get(`/rest/api/3/issue/${issues[0]!.id}?fields=project,status`);
    expect(Object.keys(sub.body.fields).sort()).toEqual(['project', 'status']);
    const missing = await f.get('/rest/api/3/issue/SUP-999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });

  it('POST issue: 201 {id,key,self}; validation errors are 400 and recorded', async () => {
    const f = fixture();
    const { issues, agent } = seed(f.sim, 1);
    const fields = {
      project: { key: 'DEV' },
      issuetype: { name: 'Task' },
      summary: 'Follow up with Rita',
      description: adf('Confirm with the customer'),
      duedate: '2025-06-02',
      labels: ['customer-feedback', 'fb-123'],
      priority: { id: '2' },
      assignee: { accountId: agent.accountId },
      customfield_10050: '2025-06-02T10:00:00.000+0000',
    };
    const created = await f.send('POST', '/rest/api/3/issue', { fields });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), key: 'DEV-1', self: `https://sim.atlassian.net/rest/api/3/issue/${created.body.id}` });
    const task = f.sim.issue('DEV-1');
    expect(task.fields).toMatchObject({ duedate: '2025-06-02', labels: ['customer-feedback', 'fb-123'], priority: { name: 'High' }, assignee: { accountId: agent.accountId }, customfield_10050: '2025-06-02T10:00:00.000+0000', description: adf('Confirm with the customer') });
    expect(task.fields.reporter.displayName).toBe('Bot');
    expect(f.sim.stats().invalidBodies).toEqual([]);

    const bad = await f.send('POST', '/rest/api/3/issue', { fields: { ...fields, description: 'plain text', duedate: '2025-06-02T10:00:00Z' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toMatchObject({ description: expect.stringMatching(/Atlassian Document/), duedate: expect.any(String) });
    const missing = await f.send('POST', '/rest/api/3/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' } } });
    expect(missing.body).toEqual({ errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } });
    const unknown = await f.send('POST', '/rest/api/3/issue', { fields: { ...fields, project: { key: 'NOPE' }, issuetype: { name: 'Saga' }, status: { name: 'Done' }, customfield_1: 5 } });
    expect(Object.keys(unknown.body.errors).sort()).toEqual(['customfield_1', 'issuetype', 'project', 'status']);
    const badJson = await f.send('POST', '/rest/api/3/issue', '{"fields":');
    expect(badJson.status).toBe(400);
    expect(f.sim.stats().invalidBodies).toHaveLength(4);
    expect(f.sim.stats().invalidBodies[0]!.route).toBe('POST /rest/api/3/issue');
    expect(f.sim.issues()).toHaveLength(2); // nothing created by the failures
    void issues;
  });

  it('PUT issue: 204, changes recorded in the changelog; status cannot be set', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const key = issues[0]!.key;
    const r = await f.send('PUT', `/rest/api/3/issue/${key}`, { fields: { customfield_10060: '5' }, update: { labels: [{ add: 'csat-5' }] } });
    expect(r.status).toBe(204);
    const issue = f.sim.issue(key);
    expect(issue.fields.labels).toEqual(['hardware', 'csat-5']);
    expect(issue.fields.customfield_10060).toBe('5');
    expect(issue.changelog.histories[0].items.map((i: { field: string }) => i.field).sort()).toEqual(['customfield_10060', 'labels']);
    const status = await f.send('PUT', `/rest/api/3/issue/${key}`, { fields: { status: { name: 'Done' } } });
    expect(status.status).toBe(400);
    expect(status.body.errors.status).toMatch(/cannot be set/);
  });
});

describe('comments', () => {
  it('POST (ADF) → 201; GET lists {startAt,maxResults,total,comments} with paging and orderBy=-created', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const key = issues[0]!.key;
    for (let i = 1; i <= 5; i++) {
      const r = await f.send('POST', `/rest/api/3/issue/${key}/comment`, { body: adf(`note ${i}`) });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ id: expect.any(String), body: adf(`note ${i}`), jsdPublic: true, author: { displayName: 'Bot' } });
    }
    const page = await f.get(`/rest/api/3/issue/${key}/comment?startAt=1&maxResults=2`);
    expect(page.body).toMatchObject({ startAt: 1, maxResults: 2, total: 5 });
    expect(page.body.comments.map((c: { body: unknown }) => c.body)).toEqual([adf('note 2'), adf('note 3')]);
    const newest = await f.get(`/rest/api/3/issue/${key}/comment?orderBy=-created&maxResults=1`);
    expect(newest.body.comments[0].body).toEqual(adf('note 5'));
    const plain = await f.send('POST', `/rest/api/3/issue/${key}/comment`, { body: 'plain' });
    expect(plain.status).toBe(400);
    expect(plain.body).toEqual({ errorMessages: [], errors: { comment: 'Comment body is not valid!' } });
    expect(f.sim.comments(key)).toHaveLength(5);
  });

  it('platform comment with sd.public.comment internal → jsdPublic false', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const r = await f.send('POST', `/rest/api/3/issue/${issues[0]!.key}/comment`, { body: adf('agents only'), properties: [{ key: 'sd.public.comment', value: { internal: true } }] });
    expect(r.status).toBe(201);
    expect(r.body.jsdPublic).toBe(false);
    expect(f.sim.comments(issues[0]!.key)[0].jsdPublic).toBe(false);
  });

  it('JSM request comment: 201, stored as an ADF platform comment with jsdPublic = public; 404 outside service desks', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const key = issues[0]!.key;
    const r = await f.send('POST', `/rest/servicedeskapi/request/${key}/comment`, { body: 'Customer rated 2/5\n\nSaid: slow', public: false });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.any(String), body: 'Customer rated 2/5\n\nSaid: slow', public: false, author: { displayName: 'Bot' }, created: { epochMillis: expect.any(Number) } });
    const stored = f.sim.comments(key)[0];
    expect(stored.jsdPublic).toBe(false);
    expect(stored.body.content).toHaveLength(2);
    const list = await f.get(`/rest/api/3/issue/${key}/comment`);
    expect(list.body.comments[0].jsdPublic).toBe(false);

    const dev = await f.send('POST', '/rest/api/3/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' }, summary: 'x' } });
    const notJsm = await f.send('POST', `/rest/servicedeskapi/request/${dev.body.key}/comment`, { body: 'x', public: false });
    expect(notJsm.status).toBe(404);
    expect(notJsm.body).toMatchObject({ errorMessage: expect.any(String), i18nErrorMessage: { i18nKey: expect.any(String) } });
    const bad = await f.send('POST', `/rest/servicedeskapi/request/${key}/comment`, { body: 'x' });
    expect(bad.status).toBe(400);
    expect(f.sim.stats().invalidBodies.map((b) => b.route)).toEqual(['POST /rest/servicedeskapi/request/{issueIdOrKey}/comment']);
  });
});

describe('issue properties', () => {
  it('PUT → 201 created, then 200 updated; GET → {key, value}; too long → 400', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const url = `/rest/api/3/issue/${issues[0]!.key}/properties/csat`;
    expect((await f.send('PUT', url, { score: 2 })).status).toBe(201);
    expect((await f.send('PUT', url, { score: 4, comment: 'fine' })).status).toBe(200);
    expect((await f.get(url)).body).toEqual({ key: 'csat', value: { score: 4, comment: 'fine' } });
    expect(f.sim.properties(issues[0]!.key)).toEqual({ csat: { score: 4, comment: 'fine' } });
    expect((await f.get(`/rest/api/3/issue/${issues[0]!.key}/properties/nope`)).status).toBe(404);
    expect((await f.send('PUT', url, { text: 'x'.repeat(33_000) })).status).toBe(400);
  });
});

describe('issue links', () => {
  it('POST issueLink → 201 empty; visible in issuelinks on both sides; unknown type → 404', async () => {
    const f = fixture();
    const { issues } = seed(f.sim, 1);
    const dev = await f.send('POST', '/rest/api/3/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' }, summary: 'follow-up' } });
    const r = await f.send('POST', '/rest/api/3/issueLink', { type: { name: 'Relates' }, inwardIssue: { key: issues[0]!.key }, outwardIssue: { key: dev.body.key } });
    expect(r.status).toBe(201);
    expect(r.raw).toBe('');
    const parent = await f.get(`/rest/api/3/issue/${issues[0]!.key}?fields=issuelinks`);
    expect(parent.body.fields.issuelinks).toEqual([expect.objectContaining({ type: expect.objectContaining({ name: 'Relates' }), outwardIssue: expect.objectContaining({ key: dev.body.key }) })]);
    const child = await f.get(`/rest/api/3/issue/${dev.body.key}?fields=issuelinks`);
    expect(child.body.fields.issuelinks[0].inwardIssue.key).toBe(issues[0]!.key);
    expect(f.sim.links()).toEqual([expect.objectContaining({ inwardIssue: expect.objectContaining({ key: issues[0]!.key }), outwardIssue: expect.objectContaining({ key: dev.body.key }) })]);
    const unknown = await f.send('POST', '/rest/api/3/issueLink', { type: { name: 'Relates to' }, inwardIssue: { key: issues[0]!.key }, outwardIssue: { key: dev.body.key } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errorMessages).toEqual(["No issue link type with name 'Relates to' found."]);
    expect(f.sim.stats().invalidBodies).toHaveLength(1);
  });
});

describe('users', () => {
  it('GET user: emailAddress absent when hidden; timeZone and locale; 404; myself', async () => {
    const f = fixture();
    const { reporter, agent } = seed(f.sim, 0);
    const hidden = await f.get(`/rest/api/3/user?accountId=${reporter.accountId}`);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ accountId: reporter.accountId, displayName: 'Rita Reporter', timeZone: 'Europe/Berlin', locale: 'de_DE', accountType: 'atlassian', active: true });
    expect(hidden.body).not.toHaveProperty('emailAddress');
    expect((await f.get(`/rest/api/3/user?accountId=${agent.accountId}`)).body.emailAddress).toBe('alan@it.example.com');
    expect((await f.get('/rest/api/3/user?accountId=nobody')).status).toBe(404);
    expect((await f.get('/rest/api/3/user?username=alan')).status).toBe(400);
    const me = await f.get('/rest/api/3/myself');
    expect(me.body).toMatchObject({ emailAddress: 'bot@example.com', displayName: 'Bot' });
  });
});

describe('authentication', () => {
  it('401 without or with wrong credentials; Basic and Bearer accepted', async () => {
    const f = fixture();
    seed(f.sim, 1);
    const none = await f.sim.app.inject({ method: 'GET', url: '/rest/api/3/myself' });
    expect(none.statusCode).toBe(401);
    expect(JSON.parse(none.body).errorMessages[0]).toMatch(/not authenticated/);
    const wrong = await f.get('/rest/api/3/myself', { authorization: `Basic ${Buffer.from('bot@example.com:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['x-seraph-loginreason']).toBe('AUTHENTICATED_FAILED');
    expect((await f.get('/rest/api/3/myself', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await f.get('/rest/api/3/myself', { authorization: BEARER })).status).toBe(200);
    expect((await f.send('POST', '/rest/api/3/issue/SUP-1/comment', { body: adf('x') }, { authorization: 'Basic eDp5' })).status).toBe(401);
    expect(f.sim.comments('SUP-1')).toEqual([]);
  });

  it('/ex/jira/{cloudId}/…: Bearer only, self links through the gateway, wrong cloudId 401', async () => {
    const f = fixture({ cloudId: 'c0ffee' });
    const { issues } = seed(f.sim, 1);
    const ok = await f.get(`/ex/jira/c0ffee/rest/api/3/issue/${issues[0]!.key}?fields=summary`, { authorization: BEARER });
    expect(ok.status).toBe(200);
    expect(ok.body.self).toBe(`https://sim.atlassian.net/ex/jira/c0ffee/rest/api/3/issue/${issues[0]!.id}`);
    expect((await f.get(`/ex/jira/c0ffee/rest/api/3/issue/${issues[0]!.key}`)).status).toBe(401); // Basic
    expect((await f.get(`/ex/jira/other/rest/api/3/issue/${issues[0]!.key}`, { authorization: BEARER })).status).toBe(401);
    const search = await f.send('POST', '/ex/jira/c0ffee/rest/api/3/search/jql', { jql: 'project = SUP' }, { authorization: BEARER });
    expect(search.body.issues).toHaveLength(1);
    const jsm = await f.send('POST', `/ex/jira/c0ffee/rest/servicedeskapi/request/${issues[0]!.key}/comment`, { body: 'x', public: false }, { authorization: BEARER });
    expect(jsm.status).toBe(201);
    expect(f.sim.stats().byRoute['POST /ex/jira/{cloudId}/rest/api/3/search/jql']).toBe(1);
  });
});
