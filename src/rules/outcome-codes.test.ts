import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTCOME_CODES, parseOutcome } from './outcome-codes.js';

const codes = DEFAULT_OUTCOME_CODES;

describe('parseOutcome', () => {
  it('reads the code at the start of the close notes and keeps the rest as text', () => {
    expect(parseOutcome('resolved – called back, replaced the dock', codes)).toEqual({ code: 'resolved', text: 'called back, replaced the dock' });
    expect(parseOutcome('could_not_reach: voicemail twice', codes)).toEqual({ code: 'could_not_reach', text: 'voicemail twice' });
    expect(parseOutcome('explained', codes)).toEqual({ code: 'explained', text: '' });
  });

  it('accepts what people type: case, spaces or hyphens, brackets, a label', () => {
    expect(parseOutcome('Could not reach - tried twice', codes).code).toBe('could_not_reach');
    expect(parseOutcome('COULD-NOT-REACH', codes).code).toBe('could_not_reach');
    expect(parseOutcome('[no_action] duplicate complaint', codes)).toEqual({ code: 'no_action', text: 'duplicate complaint' });
    expect(parseOutcome('Outcome: Explained. The change freeze delayed it.', codes)).toEqual({ code: 'explained', text: 'The change freeze delayed it.' });
    expect(parseOutcome('\n  * resolved\nsecond line', codes)).toEqual({ code: 'resolved', text: 'second line' });
  });

  it("reads Jira's '<resolution>: <last comment>' form", () => {
    expect(parseOutcome('Done: could not reach, no answer on the phone', codes)).toEqual({ code: 'could_not_reach', text: 'Done: no answer on the phone' });
  });

  it('never takes a word in the middle of a sentence, nor a longer word', () => {
    expect(parseOutcome('The issue was not resolved yet', codes).code).toBeNull();
    expect(parseOutcome('resolvedness is a word', codes).code).toBeNull();
    expect(parseOutcome('Called the customer. resolved', codes).code).toBeNull();
    expect(parseOutcome(null, codes)).toEqual({ code: null, text: '' });
    expect(parseOutcome('  free text only ', codes)).toEqual({ code: null, text: 'free text only' });
  });

  it('uses the connector list, longest code first; lines after the fifth do not count', () => {
    expect(parseOutcome('no action needed: fine', ['no_action', 'no_action_needed']).code).toBe('no_action_needed');
    expect(parseOutcome('a\nb\nc\nd\ne\nresolved', codes).code).toBeNull();
    expect(parseOutcome('a\r\nresolved\r\n', codes).code).toBe('resolved');
  });
});
