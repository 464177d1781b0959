import type { ServiceNowDefinition } from './definition.js';

/**
 * The ServiceNow Business Rule that pushes closures to the service: the one place it is written. The
 * README shows the rule for the default connector (a test checks that its copy matches this), and an
 * admin console can generate it for any connector.
 */
export interface BusinessRuleOptions {
  /** System property holding the connector's webhookUrl. */
  endpointProperty?: string;
  /** System property (type password2) holding the webhook secret. */
  secretProperty?: string;
  /** Send through this MID server, for instances that cannot reach the service directly. */
  midServer?: string | null;
}

export interface BusinessRule {
  /** Table the rule is defined on. */
  table: string;
  /** "When to run" settings. */
  when: 'async';
  operations: 'update';
  /** The filter condition to set in the rule form. */
  condition: string;
  /** The Advanced script. */
  script: string;
}

const STATE_LABELS: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };
/** A single-quoted JavaScript string literal (quotes, backslashes, control characters and `<` as \u escapes). */
const js = (s: string) => `'${s.replace(/[\\'\u0000-\u001f\u2028\u2029<]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;

export function renderBusinessRule(sn: Pick<ServiceNowDefinition['servicenow'], 'table' | 'closedStates' | 'webhookHeader'>, opts: BusinessRuleOptions = {}): BusinessRule {
  const endpoint = opts.endpointProperty ?? 'x_feedback.endpoint';
  const secret = opts.secretProperty ?? 'x_feedback.secret';
  const states = sn.closedStates.map((s) => STATE_LABELS[s] ?? `state ${s}`);
  const send = opts.midServer
    ? [
        `    r.setMIDServer(${js(opts.midServer)});`,
        '    var res = r.executeAsync(); // through a MID server calls are asynchronous',
        '    res.waitForResponse(60);',
      ]
    : ['    var res = r.execute();'];
  const script = [
    '(function executeRule(current, previous /* null in async rules */) {',
    '  // Only the states this connector counts as closed (servicenow.closedStates).',
    `  var closedStates = [${sn.closedStates.map(js).join(', ')}];`,
    "  if (closedStates.indexOf(String(current.getValue('state'))) < 0) return;",
    "  var number = current.getValue('number');",
    '  try {',
    '    var r = new sn_ws.RESTMessageV2();',
    `    r.setEndpoint(gs.getProperty(${js(endpoint)}));`,
    "    r.setHttpMethod('post');",
    '    r.setHttpTimeout(10000);',
    "    r.setRequestHeader('Content-Type', 'application/json');",
    `    r.setRequestHeader(${js(sn.webhookHeader)}, gs.getProperty(${js(secret)}));`,
    '    r.setRequestBody(JSON.stringify({',
    '      table: current.getTableName(),',
    '      sys_id: current.getUniqueValue(),',
    '      number: number,',
    "      state: current.getValue('state'),",
    "      sys_updated_on: current.getValue('sys_updated_on')",
    '    }));',
    ...send,
    '    // A connection failure is no exception: the status is 0 and haveError() is true.',
    '    var status = res.getStatusCode();',
    '    if (res.haveError() || status < 200 || status > 299) {',
    "      gs.warn('feedback push for ' + number + ' failed: HTTP ' + status + ': ' + res.getErrorMessage() + ' ' + res.getBody());",
    '    }',
    '  } catch (e) {',
    "    gs.warn('feedback push for ' + number + ' failed: ' + e);",
    '  }',
    '})(current, previous);',
  ].join('\n');
  const condition =
    states.length === 1
      ? `State changes to ${states[0]}`
      : `State changes to ${states.join(' OR State changes to ')} (or simply "State changes": the script checks the state)`;
  return { table: sn.table, when: 'async', operations: 'update', condition, script };
}
