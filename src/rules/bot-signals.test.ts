import { describe, expect, it } from 'vitest';
import { botSignals } from './bot-signals.js';

const human = { honeypot: '', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36', secondsSinceSent: 600, minSecondsAfterSend: 5 };

describe('bot signals', () => {
  it('a person in a browser raises none', () => expect(botSignals(human)).toEqual([]));
  it('flags a filled honeypot', () => expect(botSignals({ ...human, honeypot: 'http://spam' })).toEqual(['honeypot_filled']));
  it('flags missing and scanner user agents', () => {
    expect(botSignals({ ...human, userAgent: '' })).toEqual(['no_user_agent']);
    expect(botSignals({ ...human, userAgent: 'Mozilla/5.0 (compatible; Barracuda Sentinel)' })).toEqual(['bot_user_agent']);
    expect(botSignals({ ...human, userAgent: 'python-requests/2.31' })).toEqual(['bot_user_agent']);
  });
  it('flags a submit sooner than a person could have read the email, at the boundary', () => {
    expect(botSignals({ ...human, secondsSinceSent: 4 })).toEqual(['too_soon_after_send']);
    expect(botSignals({ ...human, secondsSinceSent: 5 })).toEqual([]);
    expect(botSignals({ ...human, secondsSinceSent: null })).toEqual([]);
  });
});
