import { describe, expect, it } from 'vitest';
import { adf, fixture, seed } from './test-support.js';

const PAT = { authorization: 'Bearer pat-123' };

describe('Data Center variant (REST v2, plain-text bodies, PATs)', () => {
  it('serves /rest/api/2 with startAt/maxResults/total paging; no /rest/api/3, no /search/jql', async () => {
    const f = fixture({ variant: 'datacenter', bearerTokens: ['pat-123'], baseUrl: 'https://jira.corp.example' });
    const { issues } = seed(f.sim, 5);
    for (const i of issues.slice(0, 4)) f.sim.transition(i.key, 'Done');
    const jql = 'project = SUP AND statusCategory = Done ORDER BY key ASC';
    const p1 = await f.send('POST', '/rest/api/2/search', { jql, startAt: 0, maxResults: 3, fields: ['summary', 'status', 'reporter'] }, PAT);
    expect(p1.status).toBe(200);
    expect(p1.body).toMatchObject({ startAt: 0, maxResults: 3, total: 4 });
    expect(p1.body.issues.map((i: { key: string }) => i.key)).toEqual(['SUP-1', 'SUP-2', 'SUP-3']);
    expect(p1.body.issues[0].self).toBe(`https://jira.corp.example/rest/api/2/issue/${issues[0]!.id}`);
    expect(p1.body.issues[0].fields.reporter).toMatchObject({ name: 'rita', key: expect.stringMatching(/^JIRAUSER/), displayName: 'Rita Reporter' });
    const p2 = await f.get(`/rest/api/2/search?jql=${encodeURIComponent(jql)}&startAt=3&maxResults=3`, PAT);
    expect(p2.body).toMatchObject({ startAt: 3, total: 4 });
    expect(p2.body.issues.map((i: { key: string }) => i.key)).toEqual(['SUP-4']);
    expect(p2.body.issues[0].fields).toHaveProperty('summary'); // default: navigable fields
    const unbounded = await f.get(`/rest/api/2/search?jql=${encodeURIComponent('order by key')}`, PAT);
    expect(unbounded.body.total).toBe(5); // Data Center allows it
    expect((await f.send('POST', '/rest/api/3/search/jql', { jql }, PAT)).status).toBe(404);
    expect((await f.get(`/rest/api/3/issue/${issues[0]!.key}`, PAT)).status).toBe(404);
    expect((await f.get('/rest/api/2/myself', { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('comments and descriptions are strings; ADF is rejected', async () => {
    const f = fixture({ variant: 'datacenter', bearerTokens: ['pat-123'] });
    const { issues, agent } = seed(f.sim, 1);
    const key = issues[0]!.key;
    const c = await f.send('POST', `/rest/api/2/issue/${key}/comment`, { body: 'h4. Feedback\nScore: 5' }, PAT);
    expect(c.status).toBe(201);
    expect(c.body.body).toBe('h4. Feedback\nScore: 5');
    expect(c.body).not.toHaveProperty('jsdPublic');
    const adfBody = await f.send('POST', `/rest/api/2/issue/${key}/comment`, { body: adf('x') }, PAT);
    expect(adfBody.status).toBe(400);
    const list = await f.get(`/rest/api/2/issue/${key}/comment`, PAT);
    expect(list.body).toMatchObject({ startAt: 0, total: 1, comments: [{ body: 'h4. Feedback\nScore: 5' }] });

    const agentName = (await f.get(`/rest/api/2/issue/${key}?fields=assignee`, PAT)).body.fields.assignee.name;
    const created = await f.send('POST', '/rest/api/2/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' }, summary: 'Follow up', description: 'Confirm with the customer', duedate: '2025-06-02', assignee: { name: agentName } } }, PAT);
    expect(created.status).toBe(201);
    expect(f.sim.issue(created.body.key).fields).toMatchObject({ description: 'Confirm with the customer', assignee: { name: agentName } });
    const adfDesc = await f.send('POST', '/rest/api/2/issue', { fields: { project: { key: 'DEV' }, issuetype: { name: 'Task' }, summary: 'x', description: adf('x') } }, PAT);
    expect(adfDesc.status).toBe(400);

    const jsm = await f.send('POST', `/rest/servicedeskapi/request/${key}/comment`, { body: 'internal note', public: false }, PAT);
    expect(jsm.status).toBe(201);
    expect(f.sim.comments(key)[1]).toMatchObject({ body: 'internal note', jsdPublic: false });
    expect(f.sim.stats().invalidBodies.map((b) => b.route)).toEqual(['POST /rest/api/2/issue/{issueIdOrKey}/comment', 'POST /rest/api/2/issue']);
    void agent;
  });

  it('DC users are looked up by username', async () => {
    const f = fixture({ variant: 'datacenter', bearerTokens: ['pat-123'] });
    seed(f.sim, 0);
    const u = await f.get('/rest/api/2/user?username=rita', PAT);
    expect(u.body).toMatchObject({ name: 'rita', displayName: 'Rita Reporter', timeZone: 'Europe/Berlin' });
    expect((await f.get('/rest/api/2/user?username=nobody', PAT)).status).toBe(404);
  });
});
