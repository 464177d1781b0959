import { describe, expect, it } from 'vitest';
import { risingThemes } from './rising-themes.js';
import { targetStatus } from './targets.js';

describe('rising themes', () => {
  it('lists terms whose share of comments rose, phrases over their words', () => {
    const current = ['VPN drops every hour', 'vpn drops again', 'printer jammed', 'Printer jammed again and again'];
    const previous = ['printer jammed', 'printer jammed twice', 'password reset', 'slow laptop'];
    const r = risingThemes(current, previous);
    // "vpn drops": 2 of 4 this week (0.5), 0 before; "printer jammed": 2 of 4 = 0.5, before 2 of 4: not rising.
    expect(r.map((t) => t.term)).toEqual(['vpn drops']);
    expect(r[0]).toEqual({ term: 'vpn drops', count: 2, share: 0.5, previousCount: 0, previousShare: 0 });
  });

  it('needs two comments, and nothing without comments', () => {
    expect(risingThemes(['vpn broken'], [])).toEqual([]);
    expect(risingThemes([], ['vpn broken', 'vpn broken'])).toEqual([]);
    expect(risingThemes(['slow wifi', 'slow wifi today', 'wifi slow'], []).map((t) => [t.term, t.count])).toEqual([['slow', 3], ['wifi', 3], ['slow wifi', 2]]);
  });
});

describe('target status', () => {
  it('decided by the interval as on the dashboard: met, at risk when the target is inside it, missed', () => {
    expect(targetStatus(0.9, { low: 0.86, high: 0.95 }, 0.85)).toBe('met');
    expect(targetStatus(0.86, { low: 0.7, high: 0.95 }, 0.85)).toBe('at_risk');
    expect(targetStatus(0.8, { low: 0.7, high: 0.9 }, 0.85)).toBe('at_risk');
    expect(targetStatus(0.6, { low: 0.5, high: 0.7 }, 0.85)).toBe('missed');
    expect(targetStatus(0.6, null, 0.85)).toBe('missed');
    expect(targetStatus(0.9, null, 0.85)).toBe('met');
    expect(targetStatus(null, null, 0.85)).toBeNull();
  });
});
