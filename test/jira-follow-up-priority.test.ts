import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { MemoryRateGate } from '../src/lib/rate-gate.js';
import { JiraConnector } from '../src/connectors/jira/connector.js';
import { jiraDefinitionSchema } from '../src/connectors/jira/definition.js';
import { templateTextDoc } from '../src/render/itsm-doc.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';

/** followUp.priority reaches Jira as a priority id (digits) or a priority name (README, "Connecting Jira"). */
describe('Jira follow-up priority', () => {
  let jira: JiraSim;
  beforeAll(async () => {
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'software' });
  });
  afterAll(() => jira?.close());

  it('takes "2" as the id of High and "Highest" as a name', async () => {
    const u = jira.createUser({ displayName: 'Ann', email: 'ann@example.com' });
    const parent = jira.createIssue({ project: 'SUP', summary: 'VPN', reporter: u.accountId });
    const c = new JiraConnector(jiraDefinitionSchema.parse({ id: 'jira', name: 'Jira', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' }, jira: { projects: ['SUP'] } }), {
      logger: createLogger('silent'), gate: new MemoryRateGate(), http: { timeoutMs: 5000, maxAttempts: 2, maxInlineWaitMs: 1000 },
    });
    const task = (priority: string, marker: string) => c.createFollowUpTask({ marker, parentExternalId: parent.id, title: 'Follow up', description: templateTextDoc(`Call\nRef ${marker}`), assignmentGroupId: null, assigneeId: null, dueAt: new Date(), priority });
    expect(jira.issue((await task('2', 'FB-T1-a')).key!).fields.priority.name).toBe('High');
    expect(jira.issue((await task('Highest', 'FB-T2-b')).key!).fields.priority.name).toBe('Highest');
    expect(jira.stats().invalidBodies).toEqual([]);
  });
});
