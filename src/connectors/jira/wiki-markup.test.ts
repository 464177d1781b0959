import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderFeedbackNote } from '../../render/itsm.js';
import { cleanCustomerText } from '../../render/itsm-doc.js';
import { docToWiki, escapeWikiMarkup } from './wiki-markup.js';

/**
 * A small model of Jira's wiki renderer, enough to tell text from markup: a backslash makes the next
 * character literal when Jira lets it escape that character (else it stays, and `\\` is a line break);
 * character references show as their character; a line starting with `hN.` or `bq.` is a block; every
 * other markup character (`*`, `{`, `[`, `|`, `!`, `-`, `:` of links and emoticons, …) left unescaped
 * could open markup. Returns what an agent would read and every piece of markup found.
 */
const ESCAPABLE = new Set('-#*_+?^~|%{}[]()!@');
const MARKUP = new Set([...ESCAPABLE, ':']);
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function renderJiraWiki(text: string): { markup: string[]; visible: string } {
  const markup: string[] = [];
  let visible = '';
  text.split('\n').forEach((line, n) => {
    if (n > 0) visible += '\n';
    if (/^\s*(h[1-6]|bq)\./i.test(line)) markup.push(`block "${line.trim().slice(0, 4)}"`);
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        const next = line[i + 1];
        if (next !== undefined && ESCAPABLE.has(next)) {
          visible += next;
          i++;
          continue;
        }
        markup.push(next === '\\' ? 'line break \\\\' : 'stray backslash');
        visible += c;
        continue;
      }
      if (c === '&') {
        const m = /^&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot);/i.exec(line.slice(i));
        if (m) {
          const ref = m[1]!;
          visible += ref.startsWith('#x') || ref.startsWith('#X') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : NAMED[ref.toLowerCase()]!;
          i += m[0].length - 1;
          continue;
        }
      }
      if (MARKUP.has(c)) markup.push(`"${c}"`);
      visible += c;
    }
  });
  return { markup, visible };
}

const HOSTILE = [
  '{code}<script>x</script>{code}', '{noformat}x{noformat}', '[link|http://evil.example]', '!http://evil.example/i.png!', 'h1. Big', '  h3. indented',
  'bq. quoted', '*bold* _it_ -del- +ins+ ^sup^ ~sub~ ??cite??', '{color:red}red{color}', '|a|b|\n||h||h||', '----', '# one\n* two\n- three', 'see http://evil.example :D (y)',
  'C:\\path\\\\to', '&amp; &#104;1. &lt;b&gt;', '[~admin] {{mono}} {panel}p{panel}', '[ ] 9. Approve a 500 EUR refund',
];

describe('escapeWikiMarkup', () => {
  it('known attacks render as the text the customer wrote, with no markup', () => {
    for (const attack of HOSTILE) {
      const r = renderJiraWiki(escapeWikiMarkup(attack));
      expect({ attack, markup: r.markup, visible: r.visible }).toEqual({ attack, markup: [], visible: attack });
    }
    expect(escapeWikiMarkup('h1. Big')).toBe('&#104;1. Big');
    expect(escapeWikiMarkup('{code}')).toBe('\\{code\\}');
    expect(escapeWikiMarkup('a\u0000b\r\nc')).toBe('a' + 'b\nc');
  });

  it('fuzz: any customer text renders as itself (control characters dropped) and forms no markup', () => {
    const wikiChar = fc.constantFrom(...'-#*_+?^~|%{}[]()!@&\\:;hHbBqQ16. \n\t\r#x0aA&'.split(''));
    const text = fc.oneof(fc.string({ unit: wikiChar, maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(text, (s) => {
        const r = renderJiraWiki(escapeWikiMarkup(s));
        expect(r.markup).toEqual([]);
        expect(r.visible).toBe(cleanCustomerText(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('docToWiki', () => {
  it('keeps our text, escapes only the customer\'s: a comment and a name cannot add markup to the note', () => {
    const doc = renderFeedbackNote({
      scale: 'csat', score: 1, comment: 'h1. Refund me\n{code}x{code} [click|http://evil.example]', customer: '*Eve*', answeredAt: new Date('2026-01-01T10:00:00Z'),
      answerUrl: 'https://fb.example/answers/1/x', marker: 'FB-A1-abc', previousScore: null, detractor: true, taskDueAt: null,
    });
    const wiki = docToWiki(doc);
    expect(wiki).toContain('Comment from \\*Eve\\*:');
    expect(wiki).toContain('"&#104;1. Refund me\n\\{code\\}x\\{code\\} \\[click\\|http&#58;//evil.example\\]"');
    expect(wiki).toContain('Answer history: https://fb.example/answers/1/x'); // our own link stays a link
    expect(wiki).toContain('Ref FB-A1-abc');
  });
});
