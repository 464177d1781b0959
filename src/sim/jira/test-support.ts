/** Shared helpers for the Jira simulator's own tests. */
import { createJiraSim } from './sim.js';
import type { JiraSim, JiraSimOptions } from './sim.js';

export const BASIC = `Basic ${Buffer.from('bot@example.com:api-token').toString('base64')}`;
export const BEARER = 'Bearer bearer-token';

export interface Res {
  status: number;
  headers: Record<string, unknown>;
  body: any;
  raw: string;
}

export interface Fixture {
  sim: JiraSim;
  get(url: string, headers?: Record<string, string>): Promise<Res>;
  send(method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res>;
}

export function fixture(opts: JiraSimOptions = {}): Fixture {
  const sim = createJiraSim({ baseUrl: 'https://sim.atlassian.net', ...opts });
  const wrap = (r: { statusCode: number; headers: Record<string, unknown>; body: string }): Res => {
    let body: unknown;
    try {
      body = r.body ? (JSON.parse(r.body) as unknown) : undefined;
    } catch {
      body = r.body;
    }
    return { status: r.statusCode, headers: r.headers, body, raw: r.body };
  };
  return {
    sim,
    async get(url, headers = {}) {
      return wrap(await sim.app.inject({ method: 'GET', url, headers: { authorization: BASIC, accept: 'application/json', ...headers } }));
    },
    async send(method, url, payload, headers = {}) {
      const h: Record<string, string> = { authorization: BASIC, accept: 'application/json', ...headers };
      if (payload !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
      const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
      return wrap(await sim.app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: body } : {}) }));
    },
  };
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
