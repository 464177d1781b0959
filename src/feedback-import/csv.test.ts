import { describe, expect, it } from 'vitest';
import { parseFeedbackCsv } from './csv.js';
import { feedbackItemSchema } from './schema.js';

describe('feedback CSV', () => {
  it('reads a header and rows (BOM, CRLF, quoted commas and line breaks), with the line each row starts on', () => {
    const r = parseFeedbackCsv('\uFEFFsource,kind,date,text,External_ID\r\nQ3 focus group,focus_group,2026-01-10,"VPN drops, every hour\r\nin the Berlin office",fg-1\r\n\r\nHallway,hallway,2026-01-12,"She said ""thanks""",\r\n', 100);
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 2, values: { source: 'Q3 focus group', kind: 'focus_group', date: '2026-01-10', text: 'VPN drops, every hour\nin the Berlin office', external_id: 'fg-1' } },
        { line: 5, values: { source: 'Hallway', kind: 'hallway', date: '2026-01-12', text: 'She said "thanks"', external_id: '' } },
      ],
    });
  });

  it('refuses unknown or missing columns, ragged rows, an unclosed quote, and too many rows, naming the line', () => {
    expect(parseFeedbackCsv('source,kind,date,text,mood\n', 10)).toMatchObject({ ok: false, message: expect.stringMatching(/^line 1: unknown column "mood"/) });
    expect(parseFeedbackCsv('source,kind,date\n', 10)).toEqual({ ok: false, message: 'line 1: missing column text' });
    expect(parseFeedbackCsv('source,kind,date,text\na,b,c\n', 10)).toEqual({ ok: false, message: 'line 2: the row has a different number of fields than the header' });
    expect(parseFeedbackCsv('source,kind,date,text\na,b,c,"open\n', 10)).toEqual({ ok: false, message: 'line 2: a quoted field is never closed (a " is missing)' });
    expect(parseFeedbackCsv('source,kind,date,text\na,b,c,d\na,b,c,d\n', 1)).toEqual({ ok: false, message: 'the file has 2 rows; at most 1 per import' });
    expect(parseFeedbackCsv('', 10)).toMatchObject({ ok: false, message: 'line 1: the file is empty; the first line names the columns' });
  });

  it('validates each item: kind, date, score with its scale', () => {
    const ok = feedbackItemSchema.safeParse({ source: 'Interview', kind: 'interview', date: '2026-02-29'.replace('29', '28'), score: '8', scale: '1-10', text: 'Good' });
    expect(ok.success && ok.data).toMatchObject({ score: 8, scale: { kind: 'range', min: 1, max: 10 }, team: null, category: null, externalId: null });
    const nps = feedbackItemSchema.safeParse({ source: 'x', kind: 'other', date: '2026-01-01', score: 3, scale: 'NPS', text: 't' });
    expect(nps.success && nps.data.scale).toEqual({ kind: 'nps', min: 0, max: 10 });
    const issues = (v: unknown) => (feedbackItemSchema.safeParse(v) as { error?: { issues: { path: PropertyKey[]; message: string }[] } }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ source: 'x', kind: 'meeting', date: '2026-02-30', text: '' })).toEqual([
      'kind: must be one of focus_group, interview, hallway, other_tool, other',
      'date: is not a calendar date',
      'text: must not be empty',
    ]);
    expect(issues({ source: 'x', kind: 'other', date: '2026-01-01', score: 6, scale: 'csat', text: 't' })).toEqual(['score: must be between 1 and 5 on this scale']);
    expect(issues({ source: 'x', kind: 'other', date: '2026-01-01', score: 'lots', text: 't' })).toEqual(['score: must be a number']);
    expect(issues({ source: 'x', kind: 'other', date: '2026-01-01', score: 4, text: 't' })).toEqual(['scale: is required with a score (csat, nps, ces or a range like 1-10)']);
    expect(issues({ source: 'x', kind: 'other', date: '2026-01-01', scale: '10-1', score: 4, text: 't' })).toEqual(['scale: must be csat, nps, ces or a range like 1-10']);
  });
});
