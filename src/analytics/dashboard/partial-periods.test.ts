import { describe, expect, it } from 'vitest';
import { partialPeriods } from './partial-periods.js';

describe('partial periods', () => {
  const now = new Date('2026-11-25T12:00:00Z'); // a Wednesday
  it('marks a week cut by the range edges, and the running week', () => {
    // Range Tue 2026-11-03 … Wed 2026-11-25: the first week starts before it, the last is cut and runs now.
    expect(partialPeriods(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'], 'week', '2026-11-03', '2026-11-25', now)).toEqual([true, false, false, true]);
    // Whole weeks in the past: none.
    expect(partialPeriods(['2026-11-02', '2026-11-09'], 'week', '2026-11-02', '2026-11-15', now)).toEqual([false, false]);
  });
  it('months and days', () => {
    expect(partialPeriods(['2026-09-01', '2026-10-01', '2026-11-01'], 'month', '2026-09-01', '2026-11-30', now)).toEqual([false, false, true]);
    expect(partialPeriods(['2026-10-01'], 'month', '2026-10-02', '2026-10-31', now)).toEqual([true]);
    expect(partialPeriods(['2026-11-24', '2026-11-25'], 'day', '2026-11-24', '2026-11-25', now)).toEqual([false, true]);
    expect(partialPeriods([], 'none', '2026-11-24', '2026-11-25', now)).toEqual([]);
  });
});
