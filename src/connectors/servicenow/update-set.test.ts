import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { serviceNowDefinitionSchema } from './definition.js';
import { closedCondition, renderBusinessRule, secretPropertyName } from './business-rule.js';
import { renderUpdateSet } from './update-set.js';

const def = serviceNowDefinitionSchema.parse({
  id: 'snow-prod', name: 'Prod <&> "quoted"', kind: 'servicenow', baseUrl: 'https://acme.service-now.com',
  auth: { type: 'basic', username: 'u', password: 'very-secret-password' }, webhookSecret: 'push-secret-0123456789',
  servicenow: { closedStates: ['6', '7'] },
});
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false, cdataPropName: '#cdata' });

describe('ServiceNow update set', () => {
  const xml = renderUpdateSet(def, 'https://feedback.example.com', new Date('2026-05-01T10:00:00Z'));
  const doc = parser.parse(xml);

  it('is an unload document with a retrieved update set and one sys_update_xml per record', () => {
    const unload = doc.unload;
    expect(unload['@unload_date']).toBe('2026-05-01 10:00:00');
    const set = unload.sys_remote_update_set;
    expect(set.state).toBe('loaded');
    expect(set.sys_id).toMatch(/^[0-9a-f]{32}$/);
    const updates = unload.sys_update_xml;
    expect(updates).toHaveLength(2);
    for (const u of updates) {
      expect(u.action).toBe('INSERT_OR_UPDATE');
      expect(u.remote_update_set['#text']).toBe(set.sys_id);
    }
    expect(updates.map((u: { type: string }) => u.type)).toEqual(['Business Rule', 'System Property']);
  });

  const payload = (table: string) => {
    const u = doc.unload.sys_update_xml.find((x: { name: string }) => x.name.startsWith(`${table}_`));
    return parser.parse(u.payload).record_update;
  };

  it('wraps an async Business Rule on the table, on update, State changes to the closed states, with the generated script', () => {
    const rec = payload('sys_script');
    expect(rec['@table']).toBe('sys_script');
    const br = rec.sys_script;
    expect(br).toMatchObject({ collection: 'incident', when: 'async', action_update: 'true', action_insert: 'false', active: 'true', advanced: 'true' });
    expect(br.filter_condition['#text']).toBe('stateCHANGESTO6^ORstateCHANGESTO7^EQ');
    expect(br.filter_condition['@table']).toBe('incident');
    expect(closedCondition(def)).toBe(br.filter_condition['#text']);
    expect(br.script['#cdata']).toBe(renderBusinessRule(def, 'https://feedback.example.com'));
    expect(br.sys_update_name).toBe(`sys_script_${br.sys_id}`);
  });

  it('creates the secret property empty (password2): no secret travels in the file', () => {
    const prop = payload('sys_properties').sys_properties;
    expect(prop).toMatchObject({ name: secretPropertyName(def), type: 'password2' });
    expect(prop.value).toBe('');
    for (const secret of ['push-secret-0123456789', 'very-secret-password']) expect(xml).not.toContain(secret);
  });

  it('keeps record ids stable across downloads, so a re-import updates the same records', () => {
    const again = parser.parse(renderUpdateSet(def, 'https://feedback.example.com', new Date('2026-06-01T10:00:00Z')));
    expect(again.unload.sys_remote_update_set.sys_id).toBe(doc.unload.sys_remote_update_set.sys_id);
    expect(parser.parse(again.unload.sys_update_xml[0].payload).record_update.sys_script.sys_id).toBe(payload('sys_script').sys_script.sys_id);
  });

  it('the script posts the README payload to this connector with the secret from the property', () => {
    const script = renderBusinessRule(def, 'https://feedback.example.com');
    expect(script).toContain("r.setEndpoint('https://feedback.example.com/webhooks/servicenow/snow-prod');");
    expect(script).toContain("r.setRequestHeader('X-Feedback-Secret', gs.getProperty('x_feedback.snow-prod.webhook_secret'));");
    expect(script).toMatch(/sys_updated_on: current.getValue\('sys_updated_on'\)/);
    expect(script).not.toContain('push-secret');
  });
});
