import { describe, expect, it } from 'vitest';
import { share } from './proportions.js';
import { measure, overallVerdict } from './verdict.js';

describe('effect verdicts', () => {
  it('a topic share that fell beyond noise improved; a CSAT that fell beyond noise worsened', () => {
    expect(measure(share(30, 60), share(12, 60), 'lower', 5).verdict).toBe('improved');
    expect(measure(share(30, 60), share(12, 60), 'higher', 5).verdict).toBe('worsened');
    expect(measure(share(24, 40), share(34, 40), 'higher', 5).verdict).toBe('improved'); // +0.25 (0.0539 to 0.4233)
  });

  it('an interval containing 0 is no distinguishable change', () => {
    expect(measure(share(10, 50), share(12, 50), 'higher', 5).verdict).toBe('no_distinguishable_change');
  });

  it('not enough data when a side is below the minimum, or the after window has not begun', () => {
    expect(measure(share(3, 4), share(40, 50), 'higher', 5)).toMatchObject({ verdict: 'not_enough_data', difference: null });
    expect(measure(share(30, 60), null, 'lower', 5).verdict).toBe('not_enough_data');
  });

  it('overall: agreeing measures decide, conflicting ones are mixed', () => {
    expect(overallVerdict(['improved', 'no_distinguishable_change'])).toBe('improved');
    expect(overallVerdict(['worsened', 'not_enough_data'])).toBe('worsened');
    expect(overallVerdict(['improved', 'worsened'])).toBe('mixed');
    expect(overallVerdict(['no_distinguishable_change', 'not_enough_data'])).toBe('no_distinguishable_change');
    expect(overallVerdict(['not_enough_data', 'not_enough_data'])).toBe('not_enough_data');
  });
});
