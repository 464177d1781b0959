import { describe, expect, it } from 'vitest';
import { fixture, seed } from './test-support.js';

const INST = 'https://dev.service-now.test';

function parseLink(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(h).split(',')) {
    const m = /^<([^>]+)>;rel="(\w+)"$/.exec(part);
    if (!m) throw new Error(`bad Link part ${part}`);
    out[m[2]!] = m[1]!;
  }
  return out;
}

describe('Table API: reading', () => {
  it('lists records with every value a string, references as {link,value}, empty reference ""', async () => {
    const f = fixture();
    const { abel, incidents } = seed(f.sim);
    const r = await f.get('/api/now/table/incident');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers['x-total-count']).toBe('3');
    expect(r.headers.link).toBeUndefined();
    const first = r.body.result[0];
    expect(first.number).toBe('INC0010001');
    expect(first.sys_id).toBe(incidents[0]!.sys_id);
    expect(first.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.state).toBe('1');
    expect(first.sys_mod_count).toBe('0');
    expect(first.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(first.caller_id).toEqual({ link: `${INST}/api/now/table/sys_user/${abel.sys_id}`, value: abel.sys_id });
    expect(first.resolved_by).toBe('');
    expect(first.closed_at).toBe('');
    for (const v of Object.values(first)) expect(typeof v === 'string' || (typeof v === 'object' && v !== null)).toBe(true);
  });

  it('answers the same on /api/now/v2/table', async () => {
    const f = fixture();
    seed(f.sim);
    const r = await f.get('/api/now/v2/table/incident?sysparm_fields=number&sysparm_limit=1');
    expect(r.body.result).toEqual([{ number: 'INC0010001' }]);
  });

  it('reads one record, 404 with the ServiceNow error body when missing', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const ok = await f.get(`/api/now/table/incident/${incidents[1]!.sys_id}?sysparm_fields=number,sys_id`);
    expect(ok.body).toEqual({ result: { number: 'INC0010002', sys_id: incidents[1]!.sys_id } });
    const missing = await f.get(`/api/now/table/incident/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { message: 'No Record found', detail: "Record doesn't exist or ACL restricts the record retrieval" },
      status: 'failure',
    });
  });

  it('answers 400 Invalid table for an unknown table', async () => {
    const f = fixture();
    const r = await f.get('/api/now/table/u_nothing_here');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { message: 'Invalid table u_nothing_here', detail: null }, status: 'failure' });
  });

  it('dot-walks sysparm_fields, keys literally named, unknown fields omitted, empty reference ""', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    await f.send('PATCH', `/api/now/table/incident/${incidents[2]!.sys_id}`, { caller_id: '', assignment_group: '' });
    const r = await f.get('/api/now/table/incident?sysparm_fields=number,caller_id.email,caller_id.time_zone,caller_id.preferred_language,assignment_group.name,assignment_group.manager.email,no_such_field,caller_id.nope');
    expect(r.body.result[0]).toEqual({
      number: 'INC0010001',
      'caller_id.email': 'abel@example.com',
      'caller_id.time_zone': 'Europe/Paris',
      'caller_id.preferred_language': 'fr',
      'assignment_group.name': 'Service Desk',
      'assignment_group.manager.email': 'beth@example.com',
    });
    expect(r.body.result[2]).toEqual({
      number: 'INC0010003',
      'caller_id.email': '',
      'caller_id.time_zone': '',
      'caller_id.preferred_language': '',
      'assignment_group.name': '',
      'assignment_group.manager.email': '',
    });
  });

  it('sysparm_exclude_reference_link=true returns bare sys_ids', async () => {
    const f = fixture();
    const { abel, desk } = seed(f.sim);
    const r = await f.get('/api/now/table/incident?sysparm_limit=1&sysparm_fields=caller_id,assignment_group,resolved_by&sysparm_exclude_reference_link=true');
    expect(r.body.result[0]).toEqual({ caller_id: abel.sys_id, assignment_group: desk.sys_id, resolved_by: '' });
  });

  it('sysparm_display_value=true: choice labels, references as {display_value, link}', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    f.sim.closeIncident(incidents[0]!.sys_id!);
    const r = await f.get('/api/now/table/incident?sysparm_limit=1&sysparm_display_value=true&sysparm_fields=number,state,incident_state,priority,caller_id,assignment_group,caller_id.email,assigned_to');
    const o = r.body.result[0];
    expect(o.state).toBe('Closed');
    expect(o.incident_state).toBe('Closed');
    expect(o.priority).toBe('5 - Planning');
    expect(o.caller_id).toEqual({ display_value: 'Abel Tuter', link: expect.stringMatching(/\/api\/now\/table\/sys_user\/[0-9a-f]{32}$/) });
    expect(o.assignment_group.display_value).toBe('Service Desk');
    expect(o['caller_id.email']).toBe('abel@example.com');
    const plain = await f.get('/api/now/table/incident?sysparm_limit=1&sysparm_display_value=true&sysparm_exclude_reference_link=true&sysparm_fields=caller_id');
    expect(plain.body.result[0]).toEqual({ caller_id: 'Abel Tuter' });
  });

  it('sysparm_display_value=all: every field {display_value, value}, references add link', async () => {
    const f = fixture();
    const { abel } = seed(f.sim);
    const r = await f.get('/api/now/table/incident?sysparm_limit=1&sysparm_display_value=all&sysparm_fields=number,state,caller_id,resolved_by,caller_id.email');
    expect(r.body.result[0]).toEqual({
      number: { display_value: 'INC0010001', value: 'INC0010001' },
      state: { display_value: 'New', value: '1' },
      caller_id: { display_value: 'Abel Tuter', link: `${INST}/api/now/table/sys_user/${abel.sys_id}`, value: abel.sys_id },
      resolved_by: { display_value: '', value: '' },
      'caller_id.email': { display_value: 'abel@example.com', value: 'abel@example.com' },
    });
  });

  it('pages with X-Total-Count and first/prev/next/last Link entries (absolute, params kept)', async () => {
    const f = fixture();
    const { abel } = seed(f.sim);
    for (let i = 0; i < 4; i++) f.sim.createIncident({ caller_id: abel.sys_id!, short_description: `more ${i}` });
    // 7 incidents, pages of 3: offsets 0, 3, 6
    const q = 'sysparm_query=active%3Dtrue%5EORDERBYnumber&sysparm_fields=number';
    const p1 = await f.get(`/api/now/table/incident?${q}&sysparm_limit=3`);
    expect(p1.headers['x-total-count']).toBe('7');
    expect(p1.body.result.map((r: { number: string }) => r.number)).toEqual(['INC0010001', 'INC0010002', 'INC0010003']);
    const l1 = parseLink(p1.headers.link);
    expect(Object.keys(l1)).toEqual(['first', 'next', 'last']);
    expect(String(p1.headers.link)).toMatch(/^<https:\/\/dev\.service-now\.test\/api\/now\/table\/incident\?/);
    const next = new URL(l1.next!);
    expect(next.searchParams.get('sysparm_offset')).toBe('3');
    expect(next.searchParams.get('sysparm_limit')).toBe('3');
    expect(next.searchParams.get('sysparm_query')).toBe('active=true^ORDERBYnumber');
    expect(next.searchParams.get('sysparm_fields')).toBe('number');
    expect(new URL(l1.last!).searchParams.get('sysparm_offset')).toBe('6');

    const p2 = await f.get(`${next.pathname}${next.search}`);
    expect(p2.body.result.map((r: { number: string }) => r.number)).toEqual(['INC0010004', 'INC0010005', 'INC0010006']);
    const l2 = parseLink(p2.headers.link);
    expect(Object.keys(l2)).toEqual(['first', 'prev', 'next', 'last']);
    expect(new URL(l2.prev!).searchParams.get('sysparm_offset')).toBe('0');

    const last = new URL(l2.last!);
    const p3 = await f.get(`${last.pathname}${last.search}`);
    expect(p3.body.result).toEqual([{ number: 'INC0010007' }]);
    expect(Object.keys(parseLink(p3.headers.link))).toEqual(['first', 'prev', 'last']);

    const single = await f.get('/api/now/table/incident?sysparm_limit=7');
    expect(single.headers.link).toBeUndefined();
    const noCount = await f.get('/api/now/table/incident?sysparm_limit=3&sysparm_no_count=true');
    expect(noCount.headers['x-total-count']).toBeUndefined();
  });

  it('filters with sysparm_query, including dot-walk, dates and ORDERBYDESC; unknown terms are ignored', async () => {
    const f = fixture();
    const { incidents, beth, abel } = seed(f.sim);
    const other = f.sim.createUser({ user_name: 'carl', name: 'Carl', email: 'carl@example.com' });
    f.sim.createIncident({ caller_id: other.sys_id!, short_description: 'other caller' });
    f.sim.closeIncident(incidents[0]!.sys_id!, { at: new Date('2024-06-01T10:00:00Z'), resolved_by: abel.sys_id! });
    f.sim.closeIncident(incidents[1]!.sys_id!, { at: new Date('2024-06-02T10:00:00Z'), resolved_by: beth.sys_id! });
    const numbers = async (q: string) =>
      (await f.get(`/api/now/table/incident?sysparm_fields=number&sysparm_query=${encodeURIComponent(q)}`)).body.result.map((r: { number: string }) => r.number);
    expect(await numbers("state=7^closed_at>=javascript:gs.dateGenerate('2024-06-01','12:00:00')")).toEqual(['INC0010002']);
    expect(await numbers('state=7^ORDERBYDESCclosed_at')).toEqual(['INC0010002', 'INC0010001']);
    expect(await numbers('caller_id.email=carl@example.com')).toEqual(['INC0010004']);
    expect(await numbers('stateIN6,7^resolved_by.user_name=beth.anglin')).toEqual(['INC0010002']);
    expect(await numbers('stat=7')).toHaveLength(4);
  });
});

describe('Table API: writing', () => {
  it('PATCH updates fields, bumps sys_mod_count and sys_updated_by; PUT behaves the same', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const id = incidents[0]!.sys_id!;
    const r = await f.send('PATCH', `/api/now/table/incident/${id}?sysparm_exclude_reference_link=true`, { u_feedback_score: 5, category: 'software' });
    expect(r.status).toBe(200);
    expect(r.body.result.u_feedback_score).toBe('5');
    expect(r.body.result.category).toBe('software');
    expect(r.body.result.sys_mod_count).toBe('1');
    expect(r.body.result.sys_updated_by).toBe('integration');
    const put = await f.send('PUT', `/api/now/table/incident/${id}`, { category: 'network' });
    expect(put.status).toBe(200);
    expect(put.body.result.short_description).toBe('Printer 1 jammed');
    expect(put.body.result.sys_mod_count).toBe('2');
    expect(f.sim.table('incident')[0]!.u_feedback_score).toBe('5');
  });

  it('journal fields append sys_journal_field entries and read back as ""', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const id = incidents[0]!.sys_id!;
    const r = await f.send('PATCH', `/api/now/table/incident/${id}`, { work_notes: 'Survey sent [ref:abc123]' });
    expect(r.body.result.work_notes).toBe('');
    expect(r.body.result.sys_mod_count).toBe('1');
    await f.send('PATCH', `/api/now/table/incident/${id}`, { comments: 'Thanks for your feedback' });
    await f.send('PATCH', `/api/now/table/incident/${id}`, { work_notes: '' }); // empty: no entry
    const journal = f.sim.table('sys_journal_field');
    expect(journal).toHaveLength(2);
    expect(journal[0]).toMatchObject({ element_id: id, element: 'work_notes', name: 'incident', value: 'Survey sent [ref:abc123]', sys_created_by: 'integration' });
    expect(journal[0]!.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const read = await f.get(`/api/now/table/incident/${id}?sysparm_fields=work_notes,comments`);
    expect(read.body.result).toEqual({ work_notes: '', comments: '' });
    const q = encodeURIComponent(`element_id=${id}^element=work_notes^valueLIKEref:abc123`);
    const found = await f.get(`/api/now/table/sys_journal_field?sysparm_query=${q}&sysparm_fields=element_id,element,value,sys_created_on`);
    expect(found.body.result).toHaveLength(1);
    expect(found.body.result[0].value).toBe('Survey sent [ref:abc123]');
    const none = await f.get(`/api/now/table/sys_journal_field?sysparm_query=${encodeURIComponent(`element_id=${id}^valueLIKEnope`)}`);
    expect(none.body.result).toEqual([]);
    // display_value=true renders the journal history, as instances do
    const shown = await f.get(`/api/now/table/incident/${id}?sysparm_fields=work_notes&sysparm_display_value=true`);
    expect(shown.body.result.work_notes).toMatch(/ - integration \(Work notes\)\nSurvey sent \[ref:abc123\]\n\n$/);
  });

  it('POST incident_task answers 201 {result} with a TASK number and a Location header', async () => {
    const f = fixture();
    const { incidents, desk } = seed(f.sim);
    const r = await f.send('POST', '/api/now/table/incident_task', {
      incident: incidents[0]!.sys_id,
      short_description: 'Call back unhappy customer',
      description: 'Score 1/5',
      assignment_group: desk.sys_id,
      due_date: '2024-06-03 10:00:00',
      priority: '2',
      work_notes: 'created by feedback loop',
    });
    expect(r.status).toBe(201);
    expect(r.body.result.number).toBe('TASK0010001');
    expect(r.body.result.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.body.result.incident).toEqual({ link: `${INST}/api/now/table/incident/${incidents[0]!.sys_id}`, value: incidents[0]!.sys_id });
    expect(r.body.result.due_date).toBe('2024-06-03 10:00:00');
    expect(r.body.result.work_notes).toBe('');
    expect(r.headers.location).toBe(`${INST}/api/now/table/incident_task/${r.body.result.sys_id}`);
    const second = await f.send('POST', '/api/now/table/incident_task', { short_description: 'again' });
    expect(second.body.result.number).toBe('TASK0010002');
    expect(f.sim.table('sys_journal_field')[0]).toMatchObject({ name: 'incident_task', element_id: r.body.result.sys_id });
    const dv = await f.get(`/api/now/table/incident_task/${r.body.result.sys_id}?sysparm_display_value=true&sysparm_fields=incident,priority`);
    expect(dv.body.result.incident.display_value).toBe('INC0010001');
    expect(dv.body.result.priority).toBe('2 - High');
  });

  it('creates other tables on demand on POST (no number), then they are readable', async () => {
    const f = fixture();
    const { desk } = seed(f.sim);
    expect((await f.get('/api/now/table/sn_customerservice_task')).status).toBe(400);
    const r = await f.send('POST', '/api/now/table/sn_customerservice_task', { short_description: 'csm', assignment_group: desk.sys_id, u_anything: 1 });
    expect(r.status).toBe(201);
    expect(r.body.result.number).toBeUndefined();
    expect(r.body.result.u_anything).toBe('1');
    expect(r.body.result.assignment_group.value).toBe(desk.sys_id);
    const list = await f.get('/api/now/table/sn_customerservice_task?sysparm_query=short_description=csm');
    expect(list.body.result).toHaveLength(1);
  });

  it('DELETE answers 204, then 404', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const url = `/api/now/table/incident/${incidents[0]!.sys_id}`;
    expect((await f.send('DELETE', url)).status).toBe(204);
    expect((await f.send('DELETE', url)).status).toBe(404);
    expect((await f.get(url)).status).toBe(404);
  });

  it('rejects invalid JSON (400), PATCH of a missing record (404), unsupported methods (405)', async () => {
    const f = fixture();
    const { incidents } = seed(f.sim);
    const bad = await f.send('PATCH', `/api/now/table/incident/${incidents[0]!.sys_id}`, '{"work_notes": ', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('failure');
    expect(bad.body.error.message).toBeTruthy();
    expect(f.sim.table('incident')[0]!.sys_mod_count).toBe('0');
    const missing = await f.send('PATCH', `/api/now/table/incident/${'a'.repeat(32)}`, { category: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('No Record found');
    expect((await f.send('POST', `/api/now/table/incident/${incidents[0]!.sys_id}`, {})).status).toBe(405);
    expect((await f.send('PATCH', '/api/now/table/incident', {})).status).toBe(405);
    expect((await f.send('DELETE', '/api/now/table/incident')).status).toBe(405);
  });

  it('PATCH state=7 through the API fills closed_at/closed_by like the stock business rules', async () => {
    const f = fixture();
    const integration = f.sim.createUser({ user_name: 'integration', name: 'Integration User', email: 'int@example.com' });
    const { incidents } = seed(f.sim);
    const r = await f.send('PATCH', `/api/now/table/incident/${incidents[0]!.sys_id}?sysparm_exclude_reference_link=true`, { state: '7', close_code: 'Solved (Permanently)' });
    expect(r.body.result).toMatchObject({ state: '7', incident_state: '7', active: 'false', closed_by: integration.sys_id });
    expect(r.body.result.closed_at).toMatch(/^\d{4}-/);
  });
});
