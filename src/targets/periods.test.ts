import { describe, expect, it } from 'vitest';
import { elapsed, periodContaining, precedingRange, previousPeriod, ymd } from './periods.js';

const d = (s: string) => new Date(`${s}T12:00:00Z`);
const show = (r: { from: Date; to: Date }) => [ymd(r.from), ymd(r.to)];

describe('target periods (UTC)', () => {
  it('ISO weeks start on Monday; a Sunday belongs to the week before it', () => {
    expect(show(periodContaining(d('2026-03-01'), 'week'))).toEqual(['2026-02-23', '2026-03-02']);
    expect(show(periodContaining(d('2026-03-02'), 'week'))).toEqual(['2026-03-02', '2026-03-09']);
    expect(show(previousPeriod(periodContaining(d('2026-03-02'), 'week'), 'week'))).toEqual(['2026-02-23', '2026-03-02']);
  });

  it('months and quarters are calendar ones; the previous month of March is February (29 days in 2024)', () => {
    const march = periodContaining(d('2024-03-15'), 'month');
    expect(show(march)).toEqual(['2024-03-01', '2024-04-01']);
    expect(show(previousPeriod(march, 'month'))).toEqual(['2024-02-01', '2024-03-01']);
    expect(show(periodContaining(d('2026-05-20'), 'quarter'))).toEqual(['2026-04-01', '2026-07-01']);
    expect(show(previousPeriod(periodContaining(d('2026-01-02'), 'quarter'), 'quarter'))).toEqual(['2025-10-01', '2026-01-01']);
  });

  it('the preceding range has the same number of days', () => {
    expect(show(precedingRange({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-15T00:00:00Z') }))).toEqual(['2026-02-15', '2026-03-01']);
  });

  it('how much of a period has passed, counting today', () => {
    const q = periodContaining(d('2026-05-20'), 'quarter');
    expect(elapsed(q, d('2026-05-20'))).toEqual({ days: 50, of: 91, complete: false });
    expect(elapsed(q, d('2026-06-30'))).toEqual({ days: 91, of: 91, complete: true });
    expect(elapsed(q, d('2026-03-01'))).toEqual({ days: 0, of: 91, complete: false });
  });
});
