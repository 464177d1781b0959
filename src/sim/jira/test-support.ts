/** Helpers for the Jira simulator's own tests (the ITSM-neutral ones are in ../common/test-support.ts). */
import { basicAuth, injectClient } from '../common/test-support.js';
import type { InjectClient } from '../common/test-support.js';
import { createJiraSim } from './sim.js';
import type { JiraSim, JiraSimOptions } from './sim.js';

export const BASIC = basicAuth('bot@example.com', 'api-token');
export const BEARER = 'Bearer bearer-token';

export interface Fixture extends InjectClient {
  sim: JiraSim;
}

export function fixture(opts: JiraSimOptions = {}): Fixture {
  const sim = createJiraSim({ baseUrl: 'https://sim.atlassian.net', ...opts });
  return { sim, ...injectClient(sim.app, BASIC) };
}

export const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

/** Projects SUP (service desk) and DEV (software), a reporter with a hidden email, an agent, and `n` SUP issues. */
export function seed(sim: JiraSim, n = 3) {
  sim.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
  sim.createProject({ key: 'DEV', name: 'Platform', type: 'software' });
  const reporter = sim.createUser({ displayName: 'Rita Reporter', email: 'rita@example.com', hideEmail: true, timeZone: 'Europe/Berlin', locale: 'de_DE' });
  const agent = sim.createUser({ displayName: 'Alan Agent', email: 'alan@it.example.com' });
  const issues = Array.from({ length: n }, (_, i) =>
    sim.createIssue({ project: 'SUP', summary: `Printer ${i + 1} jammed`, reporter: reporter.accountId, assignee: agent.accountId, labels: ['hardware'], components: ['Printers'] }),
  );
  return { reporter, agent, issues };
}
