import type { ServiceNowDefinition } from './definition.js';

/**
 * The ServiceNow Business Rule that pushes closures to the service: the one place it is written. The
 * admin console shows it for a connector and wraps it into an update set (update-set.ts); the README
 * shows it for its example connector (a test keeps that copy equal to this).
 *
 * The rule is async, on update, when State changes to one of the connector's closed states; it posts
 * {table, sys_id, number, state, sys_updated_on} to the connector's webhook URL with the secret in the
 * connector's header. The secret itself is never in the script: it is read from a system property of
 * type password2 (one per connector, so two connectors on one instance do not clash), which the update
 * set creates empty and the admin fills in.
 */
type Def = Pick<ServiceNowDefinition, 'id' | 'servicenow'>;

export interface BusinessRuleOptions {
  /** Send through this MID server, for instances that cannot reach the service directly. */
  midServer?: string | null;
}

export const webhookUrlFor = (def: Pick<ServiceNowDefinition, 'id'>, publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/webhooks/servicenow/${def.id}`;

/** The system property holding the webhook secret. */
export const secretPropertyName = (def: Pick<ServiceNowDefinition, 'id'>) => `x_feedback.${def.id}.webhook_secret`;

/** "State changes to Closed" as an encoded query (the Business Rule's filter condition in the update set). */
export const closedCondition = (def: Def) => `${def.servicenow.closedStates.map((s) => `stateCHANGESTO${s}`).join('^OR')}^EQ`;

export const businessRuleName = (def: Pick<ServiceNowDefinition, 'id'>) => `Customer feedback push (${def.id})`;

const STATE_LABELS: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };

/** The filter condition as an admin sets it in the rule form. */
export function closedConditionLabel(def: Def): string {
  const states = def.servicenow.closedStates.map((s) => STATE_LABELS[s] ?? `state ${s}`);
  return states.length === 1 ? `State changes to ${states[0]}` : `State changes to ${states.join(' OR State changes to ')} (or simply "State changes": the script checks the state)`;
}

/** A single-quoted JavaScript string literal (quotes, backslashes, control characters and `<` as \u escapes). */
const js = (s: string) => `'${s.replace(/[\\'\u0000-\u001f\u2028\u2029<]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;

/** The rule's Advanced script for this connector. */
export function renderBusinessRule(def: Def, publicUrl: string, opts: BusinessRuleOptions = {}): string {
  const send = opts.midServer
    ? [`    r.setMIDServer(${js(opts.midServer)});`, '    var res = r.executeAsync(); // through a MID server calls are asynchronous', '    res.waitForResponse(60);']
    : ['    var res = r.execute();'];
  return [
    '(function executeRule(current, previous /* null in async rules */) {',
    '  // Only the states this connector counts as closed (servicenow.closedStates).',
    `  var closedStates = [${def.servicenow.closedStates.map(js).join(', ')}];`,
    "  if (closedStates.indexOf(String(current.getValue('state'))) < 0) return;",
    "  var number = current.getValue('number');",
    '  try {',
    '    var r = new sn_ws.RESTMessageV2();',
    `    r.setEndpoint(${js(webhookUrlFor(def, publicUrl))});`,
    "    r.setHttpMethod('post');",
    '    r.setHttpTimeout(10000);',
    "    r.setRequestHeader('Content-Type', 'application/json');",
    `    r.setRequestHeader(${js(def.servicenow.webhookHeader)}, gs.getProperty(${js(secretPropertyName(def))}));`,
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
}
