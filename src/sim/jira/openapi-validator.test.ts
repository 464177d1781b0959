import { describe, expect, it } from 'vitest';
import { checkJiraRequest, validateAdf, validateJiraRequest } from './openapi-validator.js';
import { adf } from './test-support.js';

const COMMENT = '/rest/api/3/issue/{issueIdOrKey}/comment';

describe('validateAdf', () => {
  it('accepts a correct document and rejects strings, empty text nodes and unknown nodes', () => {
    expect(validateAdf(adf('Thanks for the feedback'))).toEqual([]);
    expect(validateAdf({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'text', text: 'b', marks: [{ type: 'strong' }] }] }] })).toEqual([]);
    expect(validateAdf('plain text')[0]).toMatch(/plain string/);
    expect(validateAdf({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] }).length).toBeGreaterThan(0);
    expect(validateAdf({ type: 'doc', version: 1, content: [{ type: 'blink', text: 'x' }] }).length).toBeGreaterThan(0);
    expect(validateAdf({ type: 'doc', content: [] }).length).toBeGreaterThan(0); // version is required
  });
});

describe('validateJiraRequest', () => {
  it('accepts a correct ADF comment (with the JSM internal property)', () => {
    expect(validateJiraRequest('POST', COMMENT, { body: adf('note') })).toEqual([]);
    expect(validateJiraRequest('POST', COMMENT, { body: adf('note'), properties: [{ key: 'sd.public.comment', value: { internal: true } }] })).toEqual([]);
  });

  it('rejects a plain-string comment body the way Jira Cloud does', () => {
    expect(validateJiraRequest('POST', COMMENT, { body: 'note' }).length).toBeGreaterThan(0);
    expect(checkJiraRequest('POST', COMMENT, { body: 'note' })).toMatchObject({ errorMessages: [], errors: { comment: 'Comment body is not valid!' } });
    expect(checkJiraRequest('POST', COMMENT, {}).errors.comment).toBe('Comment body can not be empty!');
    expect(checkJiraRequest('POST', COMMENT, { body: { type: 'doc', version: 1, content: [] } }).errors.comment).toBe('Comment body can not be empty!');
    expect(validateJiraRequest('POST', COMMENT, { body: adf('x'), properties: [{ key: 'sd.public.comment', value: true }] }).length).toBeGreaterThan(0);
  });

  it('accepts a correct IssueUpdateDetails with an ADF description and rejects the usual mistakes', () => {
    const fields = { project: { key: 'SUP' }, issuetype: { name: 'Task' }, summary: 'Call the customer back', description: adf('Confirm with the customer'), duedate: '2025-06-02', labels: ['customer-feedback'], priority: { id: '2' }, assignee: { accountId: 'abc' }, customfield_10050: '2025-06-02T10:00:00.000+0000' };
    expect(validateJiraRequest('POST', '/rest/api/3/issue', { fields })).toEqual([]);
    expect(validateJiraRequest('PUT', '/rest/api/3/issue/{issueIdOrKey}', { fields: { description: adf('x') }, update: { labels: [{ add: 'x' }] } })).toEqual([]);

    const bad = checkJiraRequest('POST', '/rest/api/3/issue', { fields: { ...fields, description: 'plain', duedate: '2025-06-02T10:00:00Z', labels: ['two words'], assignee: { name: 'alan' } } });
    expect(Object.keys(bad.errors).sort()).toEqual(['assignee', 'description', 'duedate', 'labels']);
    expect(bad.errors.description).toMatch(/Atlassian Document/);
    expect(checkJiraRequest('POST', '/rest/api/3/issue', { fields: { summary: 'x' } }).errors).toMatchObject({ project: expect.any(String), issuetype: expect.any(String) });
    expect(validateJiraRequest('POST', '/rest/api/3/issue', { fields: { ...fields, duedate: '2025-02-30' } }).length).toBeGreaterThan(0);
  });

  it('rejects a link request with a bad shape, accepts a good one', () => {
    expect(validateJiraRequest('POST', '/rest/api/3/issueLink', { type: { name: 'Relates' }, inwardIssue: { key: 'SUP-1' }, outwardIssue: { key: 'DEV-1' } })).toEqual([]);
    expect(validateJiraRequest('POST', '/rest/api/3/issueLink', { type: 'Relates', inwardIssue: { key: 'SUP-1' }, outwardIssue: { key: 'DEV-1' } }).length).toBeGreaterThan(0);
    expect(validateJiraRequest('POST', '/rest/api/3/issueLink', { type: { name: 'Relates' }, inward: 'SUP-1', outwardIssue: { key: 'DEV-1' } }).length).toBeGreaterThan(0);
    expect(validateJiraRequest('POST', '/rest/api/3/issueLink', { type: { name: 'Relates' }, inwardIssue: { key: 'SUP-1' }, outwardIssue: { key: 'DEV-1' }, comment: { body: 'plain' } }).length).toBeGreaterThan(0);
  });

  it('checks search/jql bodies against the schema (additionalProperties: false)', () => {
    expect(validateJiraRequest('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', fields: ['summary'], maxResults: 50, nextPageToken: 'x' })).toEqual([]);
    expect(checkJiraRequest('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', startAt: 50 }).errorMessages).toEqual(['Unrecognized field "startAt"']);
    expect(validateJiraRequest('POST', '/rest/api/3/search/jql', { jql: 'project = SUP', fields: 'summary' }).length).toBeGreaterThan(0);
    expect(validateJiraRequest('POST', '/rest/api/3/search', { jql: 'project = SUP' })[0]).toMatch(/deprecated/);
  });

  it('issue properties: any JSON up to 32,768 characters', () => {
    const path = '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}';
    expect(validateJiraRequest('PUT', path, { score: 4, comment: 'ok' })).toEqual([]);
    expect(validateJiraRequest('PUT', path, 42)).toEqual([]);
    expect(validateJiraRequest('PUT', path, 'x'.repeat(32_766))).toEqual([]); // 32,768 with the quotes
    expect(validateJiraRequest('PUT', path, 'x'.repeat(32_767)).length).toBe(1);
    expect(validateJiraRequest('PUT', path, undefined).length).toBe(1);
  });

  it('JSM request comments: {body: non-empty string, public: boolean}', () => {
    const path = '/rest/servicedeskapi/request/{issueIdOrKey}/comment';
    expect(validateJiraRequest('POST', path, { body: 'Customer rated 5/5', public: false })).toEqual([]);
    expect(validateJiraRequest('POST', path, { body: 'x' }).length).toBe(1);
    expect(validateJiraRequest('POST', path, { body: '', public: true }).length).toBe(1);
    expect(validateJiraRequest('POST', path, { body: adf('x'), public: true }).length).toBe(1);
    expect(validateJiraRequest('POST', path, { body: 'x', public: false, internal: true }).length).toBe(1);
  });

  it('REST v2 (Data Center) wants plain-text bodies', () => {
    expect(validateJiraRequest('POST', '/rest/api/2/issue/{issueIdOrKey}/comment', { body: 'h4. Feedback\nscore 5' })).toEqual([]);
    expect(validateJiraRequest('POST', '/rest/api/2/issue/{issueIdOrKey}/comment', { body: adf('x') }).length).toBe(1);
    expect(validateJiraRequest('POST', '/rest/api/2/issue', { fields: { project: { key: 'SUP' }, issuetype: { name: 'Task' }, summary: 's', description: 'text', assignee: { name: 'alan' } } })).toEqual([]);
    expect(validateJiraRequest('POST', '/rest/api/2/issue', { fields: { project: { key: 'SUP' }, issuetype: { name: 'Task' }, summary: 's', description: adf('x') } }).length).toBe(1);
    expect(validateJiraRequest('POST', '/rest/api/2/search', { jql: 'project = SUP', startAt: 0, maxResults: 10, fields: ['summary'] })).toEqual([]);
    expect(validateJiraRequest('POST', '/rest/api/2/search', { jql: 'project = SUP', nextPageToken: 'x' }).length).toBe(1);
  });

  it('unknown operations and bodies sent to body-less operations fail', () => {
    expect(validateJiraRequest('POST', '/rest/api/3/nothing', {})[0]).toMatch(/No operation/);
    expect(validateJiraRequest('GET', '/rest/api/3/myself', undefined)).toEqual([]);
    expect(validateJiraRequest('GET', '/rest/api/3/myself', { a: 1 }).length).toBe(1);
  });
});
