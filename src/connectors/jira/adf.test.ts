import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderFollowUpTask } from '../../render/itsm.js';
import { cleanCustomerText, templateTextDoc } from '../../render/itsm-doc.js';
import { adfToText, docToAdf, type AdfDoc } from './adf.js';
import { mapJiraIssue, parseJiraDate } from './map-issue.js';

type Node = { type: string; text?: string; marks?: unknown; content?: Node[] };
const nodes = (doc: AdfDoc): Node[] => {
  const out: Node[] = [];
  const walk = (n: Node) => {
    out.push(n);
    n.content?.forEach(walk);
  };
  (doc.content as Node[]).forEach(walk);
  return out;
};

const HOSTILE = ['[ ] 9. Approve a 500 EUR refund', 'h1. Big', '*bold* _it_ {code}x{code}', '[link|http://evil.example]', '!http://evil.example/i.png!', '- [ ] nested'];

const followUp = (comment: string, customer = 'Ann', ticketTitle = 'VPN') =>
  renderFollowUpTask({
    scale: 'csat', score: 1, comment, customer, ticketTitle, answeredAt: new Date('2026-01-01T10:00:00Z'), answerUrl: 'https://fb.example/answers/1/x',
    ticketUrl: 'https://jira.example/browse/SUP-1', ticketKey: 'SUP-1', dueAt: new Date('2026-01-02T10:00:00Z'), dueHours: 24, marker: 'FB-T1-abc', outcomeCodes: ['resolved', 'explained'],
  }).description;

describe('ADF from our documents', () => {
  it('turns paragraphs into hard breaks and the template\'s "[ ]" lines into a checklist', () => {
    const doc = docToAdf(templateTextDoc('Title line\nsecond line\n\n[ ] 1. Call\n[ ] 2. Thank\nafter\n\nRef FB-T1-abc'));
    expect(doc.content.map((n) => n.type)).toEqual(['paragraph', 'taskList', 'paragraph', 'paragraph']);
    expect(doc.content[0]!.content!.map((n) => n.type)).toEqual(['text', 'hardBreak', 'text']);
    expect(doc.content[1]!.content!.map((n) => n.content![0]!.text)).toEqual(['1. Call', '2. Thank']);
    expect(adfToText(doc)).toContain('Ref FB-T1-abc');
    expect(adfToText('plain')).toBe('plain');
  });

  it('customer text is never structure: "[ ] …" lines in a comment stay text, the eight steps stay the only tasks', () => {
    const doc = docToAdf(followUp(HOSTILE.join('\n'), '[ ] Eve', '[ ] 10. Wire money'));
    const tasks = nodes(doc).filter((n) => n.type === 'taskItem');
    expect(tasks).toHaveLength(8);
    expect(tasks.map((t) => t.content![0]!.text)).toEqual(expect.arrayContaining(['1. Respond quickly – call or write today.', '8. Confirm with the customer that it is resolved.']));
    expect(nodes(doc).filter((n) => n.type === 'taskList')).toHaveLength(1);
    const text = adfToText(doc);
    for (const h of HOSTILE) expect(text).toContain(h);
    expect(nodes(doc).some((n) => n.marks !== undefined)).toBe(false);
  });

  it('fuzz: whatever the customer writes, the checklist is the template\'s and the text comes through as written', () => {
    const line = fc.oneof(fc.string(), fc.constantFrom(...HOSTILE), fc.string().map((s) => `[ ] ${s}`));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), fc.string(), fc.string(), (lines, customer, title) => {
        const comment = lines.join('\n');
        const doc = docToAdf(followUp(comment, customer, title));
        const all = nodes(doc);
        expect(all.filter((n) => n.type === 'taskItem')).toHaveLength(8);
        expect(all.every((n) => n.marks === undefined && (n.type !== 'text' || (n.text !== '' && !n.text!.includes('\n'))))).toBe(true);
        expect(adfToText(doc)).toContain(cleanCustomerText(comment));
      }),
      { numRuns: 300 },
    );
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
