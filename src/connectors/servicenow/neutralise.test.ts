import { describe, expect, it } from 'vitest';
import { neutraliseForJournal } from './neutralise.js';

describe('neutraliseForJournal', () => {
  it('cannot open a [code] block in any spelling', () => {
    for (const attack of ['[code]<img src=x onerror=alert(1)>[/code]', '[CODE]x[/CODE]', '[ code ]', 'a[code]b', '[[code]]']) {
      const out = neutraliseForJournal(attack);
      expect(out).not.toMatch(/\[/);
      expect(out).not.toMatch(/\]/);
    }
    expect(neutraliseForJournal('[code]<b>x</b>[/code]')).toBe('［code］<b>x</b>［/code］');
  });

  it('keeps ordinary text and line breaks, drops control characters', () => {
    expect(neutraliseForJournal('Thanks!\nAll good.\u0007')).toBe('Thanks!\nAll good.');
  });
});
