import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closedConditionLabel, renderBusinessRule } from './business-rule.js';
import { serviceNowDefinitionSchema } from './definition.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
// The README's example connector.
const def = serviceNowDefinitionSchema.parse({ id: 'snow-prod', name: 'x', kind: 'servicenow', baseUrl: 'https://acme.service-now.com', auth: { type: 'basic', username: 'u', password: 'p' } });
const PUBLIC_URL = 'https://feedback.example.com';

/** The ```javascript block of the README's ServiceNow push step, without its list indentation. */
function readmeScript(): string {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('5. **Push (recommended'));
  const m = /```javascript\n([\s\S]*?)\n\s*```/.exec(section);
  if (!m) throw new Error('no javascript block in the README push step');
  return m[1]!.split('\n').map((l) => l.replace(/^ {3}/, '')).join('\n');
}

describe('ServiceNow push Business Rule', () => {
  it('the README shows exactly the script generated for a default connector', () => {
    expect(readmeScript()).toBe(renderBusinessRule(def, PUBLIC_URL));
    expect(closedConditionLabel(def)).toBe('State changes to Closed');
  });

  it('treats status 0 / haveError() and any status outside 2xx as a failure and logs the error message', () => {
    const script = renderBusinessRule(def, PUBLIC_URL);
    // Run it against stand-ins for ServiceNow's objects: execute() reports a refused connection as
    // status 0 with haveError(), not as an exception.
    const run = (state: string, answer: { status: number; error: boolean; message: string }) => {
      const warnings: string[] = [];
      const sent: Array<Record<string, unknown>> = [];
      const current = { getValue: (f: string) => ({ state, number: 'INC0010001', sys_updated_on: '2026-01-01 10:00:00' })[f], getTableName: () => 'incident', getUniqueValue: () => 'a'.repeat(32) };
      class RESTMessageV2 {
        headers: Record<string, string> = {};
        body = '';
        setEndpoint() {}
        setHttpMethod() {}
        setHttpTimeout() {}
        setRequestHeader(k: string, v: string) { this.headers[k] = v; }
        setRequestBody(b: string) { this.body = b; }
        execute() {
          sent.push({ headers: this.headers, body: JSON.parse(this.body) });
          return { getStatusCode: () => answer.status, haveError: () => answer.error, getErrorMessage: () => answer.message, getBody: () => '' };
        }
      }
      const gs = { getProperty: (p: string) => `<${p}>`, warn: (m: string) => warnings.push(m) };
      new Function('current', 'previous', 'sn_ws', 'gs', script)(current, null, { RESTMessageV2 }, gs);
      return { warnings, sent };
    };
    const refused = run('7', { status: 0, error: true, message: 'Connection refused' });
    expect(refused.warnings).toEqual([expect.stringContaining('HTTP 0: Connection refused')]);
    expect(refused.sent[0]).toEqual({ headers: { 'Content-Type': 'application/json', 'X-Feedback-Secret': '<x_feedback.snow-prod.webhook_secret>' }, body: { table: 'incident', sys_id: 'a'.repeat(32), number: 'INC0010001', state: '7', sys_updated_on: '2026-01-01 10:00:00' } });
    expect(run('7', { status: 401, error: true, message: 'Unauthorized' }).warnings).toHaveLength(1);
    expect(run('7', { status: 202, error: false, message: '' }).warnings).toEqual([]);
    expect(run('6', { status: 202, error: false, message: '' }).sent).toEqual([]); // Resolved is not a closed state by default
  });

  it('follows the connector: closed states (and the condition to set), header, MID server', () => {
    const changed = { ...def, servicenow: { ...def.servicenow, closedStates: ['6', '7'], webhookHeader: 'X-Push-Key' } };
    const rule = { script: renderBusinessRule(changed, PUBLIC_URL, { midServer: "mid'eu" }), condition: closedConditionLabel(changed) };
    expect(rule.script).toContain("var closedStates = ['6', '7'];");
    expect(rule.condition).toMatch(/^State changes to Resolved OR State changes to Closed/);
    expect(rule.script).toContain("r.setRequestHeader('X-Push-Key', gs.getProperty('x_feedback.snow-prod.webhook_secret'));");
    expect(rule.script).toContain("r.setEndpoint('https://feedback.example.com/webhooks/servicenow/snow-prod');");
    expect(rule.script).toContain("r.setMIDServer('mid\\u0027eu');");
    expect(rule.script).toContain('var res = r.executeAsync();');
    expect(rule.script).toContain('res.waitForResponse(60);');
    // The script is valid JavaScript (ServiceNow runs it as such).
    expect(() => new Function('current', 'previous', 'sn_ws', 'gs', rule.script)).not.toThrow();
  });
});
