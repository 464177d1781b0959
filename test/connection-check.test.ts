import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraConnector } from '../src/connectors/jira/connector.js';
import { jiraDefinitionSchema } from '../src/connectors/jira/definition.js';
import { ServiceNowConnector } from '../src/connectors/servicenow/connector.js';
import { serviceNowDefinitionSchema } from '../src/connectors/servicenow/definition.js';
import type { ConnectorDeps } from '../src/connectors/types.js';
import { MemoryRateGate } from '../src/lib/rate-gate.js';
import { createLogger } from '../src/logger.js';
import { createJiraSim, type JiraSim } from '../src/sim/jira/sim.js';
import { createServiceNowSim, type ServiceNowSim } from '../src/sim/servicenow/sim.js';

/** "Test connection" says what it checked — authentication, reading a ticket, the right to write — against both simulators. */
const deps: ConnectorDeps = { logger: createLogger('silent'), gate: new MemoryRateGate(), http: { timeoutMs: 5000, maxAttempts: 1, maxInlineWaitMs: 0 } };

describe('connection check, step by step', () => {
  let sn: ServiceNowSim;
  let jira: JiraSim;
  beforeAll(async () => {
    sn = createServiceNowSim();
    await sn.listen(0, '127.0.0.1');
    jira = createJiraSim({ variant: 'cloud' });
    await jira.listen(0, '127.0.0.1');
    jira.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
  });
  afterAll(async () => {
    await sn?.close();
    await jira?.close();
  });

  const snow = (password = 'integration-pass') => new ServiceNowConnector(serviceNowDefinitionSchema.parse({ id: 'snow', name: 'S', kind: 'servicenow', baseUrl: sn.url, auth: { type: 'basic', username: 'integration', password } }), deps);
  const jiraConnector = () => new JiraConnector(jiraDefinitionSchema.parse({ id: 'jira', name: 'J', kind: 'jira', baseUrl: jira.url, auth: { type: 'basic', email: 'bot@example.com', apiToken: 'api-token' }, jira: { projects: ['SUP'] } }), deps);

  it('ServiceNow: a wrong password fails at authentication with ServiceNow’s own words', async () => {
    const r = await snow('wrong').checkConnection();
    expect(r.ok).toBe(false);
    expect(r.steps).toEqual([{ check: 'auth', label: 'Authentication', ok: false, detail: expect.stringMatching(/HTTP 401: User Not Authenticated|HTTP 401: .+/) }]);
  });

  it('ServiceNow: without the itil role, writing is refused before any write; with it, all passes; a non-UTC zone is flagged', async () => {
    const user = sn.createUser({ user_name: 'integration', name: 'Integration', email: 'svc@example.com', time_zone: 'Europe/Berlin' });
    const caller = sn.createUser({ user_name: 'c', name: 'C', email: 'c@example.com' });
    sn.closeIncident(sn.createIncident({ caller_id: caller.sys_id!, short_description: 'x' }).sys_id!);
    sn.grantRole('integration', 'snc_platform_rest_api_access');
    const before = await snow().checkConnection();
    expect(before.ok).toBe(false);
    expect(before.steps!.map((s) => [s.check, s.ok])).toEqual([['auth', true], ['read', true], ['write', false]]);
    expect(before.steps![0]!.warning).toMatch(/time zone is Europe\/Berlin/);
    expect(before.steps![1]!.detail).toMatch(/^read INC\d+ \(state 7\), with the caller's email$/);
    expect(before.steps![2]!.detail).toMatch(/no itil role \(roles: snc_platform_rest_api_access\)/);
    sn.grantRole('integration', 'itil');
    const after = await snow().checkConnection();
    expect(after.ok).toBe(true);
    expect(after.steps![2]).toMatchObject({ ok: true, detail: expect.stringMatching(/^role itil/) });
    expect(user.sys_id).toBeTruthy();
  });

  it('Jira: reports the permissions the account lacks per project', async () => {
    const ok = await jiraConnector().checkConnection();
    expect(ok.steps!.map((s) => [s.check, s.ok])).toEqual([['auth', true], ['read', true], ['write', true]]);
    jira.denyPermission('bot@example.com', 'SUP', 'CREATE_ISSUES');
    const r = await jiraConnector().checkConnection();
    expect(r.ok).toBe(false);
    expect(r.steps![2]!.detail).toBe('missing permissions: CREATE_ISSUES in SUP');
  });
});
