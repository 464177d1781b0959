import { describe, expect, it } from 'vitest';
import { adfToText, escapeWikiMarkup, textToAdf } from './adf.js';
import { mapJiraIssue, parseJiraDate } from './map-issue.js';

describe('ADF and wiki markup', () => {
  it('turns notes into paragraphs with hard breaks, and "[ ]" lines into a checklist', () => {
    const doc = textToAdf('Title line\nsecond line\n\n[ ] 1. Call\n[ ] 2. Thank\nafter\n\nRef FB-T1-abc');
    expect(doc.content.map((n) => n.type)).toEqual(['paragraph', 'taskList', 'paragraph', 'paragraph']);
    expect(doc.content[0]!.content!.map((n) => n.type)).toEqual(['text', 'hardBreak', 'text']);
    expect(doc.content[1]!.content!.map((n) => n.content![0]!.text)).toEqual(['1. Call', '2. Thank']);
    expect(adfToText(doc)).toContain('Ref FB-T1-abc');
    expect(adfToText('plain')).toBe('plain');
  });

  it('escapes wiki markup in customer text for Data Center', () => {
    expect(escapeWikiMarkup('{code}<b>[x|http://evil]</b>!img.png!{code}')).toBe('\\{code\\}<b>\\[x\\|http://evil\\]</b>\\!img.png\\!\\{code\\}');
  });
});

describe('Jira issue mapping', () => {
  it('reads Jira dates with +0000 offsets', () => {
    expect(parseJiraDate('2024-06-01T10:00:00.000+0000')?.toISOString()).toBe('2024-06-01T10:00:00.000Z');
    expect(parseJiraDate('2024-06-01T12:00:00.000+0200')?.toISOString()).toBe('2024-06-01T10:00:00.000Z');
  });

  it('maps a done issue; a hidden reporter email becomes null', () => {
    const t = mapJiraIssue(
      { id: '10001', key: 'SUP-1', fields: { summary: 'VPN', status: { name: 'Done', statusCategory: { key: 'done' } }, resolution: { name: 'Fixed' }, resolutiondate: '2024-06-01T10:00:00.000+0000', updated: '2024-06-01T10:00:01.000+0000', reporter: { accountId: 'a1', displayName: 'Ann', timeZone: 'Europe/Berlin' }, components: [{ id: '7', name: 'Network' }], project: { key: 'SUP' } } },
      { doneStatuses: [], teamFrom: 'component' },
    )!;
    expect(t).toMatchObject({ externalId: '10001', key: 'SUP-1', isClosed: true, closeCode: 'Fixed', assignmentGroupId: '7', assignmentGroupName: 'Network', requester: { email: null, timeZone: 'Europe/Berlin' } });
    expect(t.closedAt?.toISOString()).toBe('2024-06-01T10:00:00.000Z');
  });
});
