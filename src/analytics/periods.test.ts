import { describe, expect, it } from 'vitest';
import { periodStart, periodsBetween } from './periods.js';

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe('periods', () => {
  it('weeks start on Monday (as Postgres date_trunc does), months on the 1st', () => {
    expect(periodStart(new Date('2026-11-22T23:59:00Z'), 'week').toISOString().slice(0, 10)).toBe('2026-11-16'); // a Sunday
    expect(periodStart(new Date('2026-11-16T00:00:00Z'), 'week').toISOString().slice(0, 10)).toBe('2026-11-16');
    expect(periodStart(new Date('2026-11-22T10:00:00Z'), 'month').toISOString().slice(0, 10)).toBe('2026-11-01');
    expect(periodStart(new Date('2026-11-22T10:00:00Z'), 'day').toISOString().slice(0, 10)).toBe('2026-11-22');
  });

  it('lists every period touching the range, empty ones included', () => {
    expect(periodsBetween(d('2026-10-07'), d('2026-10-19'), 'week')).toEqual(['2026-10-05', '2026-10-12']);
    expect(periodsBetween(d('2026-10-07'), d('2026-10-20'), 'week')).toEqual(['2026-10-05', '2026-10-12', '2026-10-19']);
    expect(periodsBetween(d('2026-01-31'), d('2026-04-01'), 'month')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(periodsBetween(d('2026-03-28'), d('2026-04-01'), 'day')).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
    expect(periodsBetween(d('2026-03-28'), d('2026-04-01'), 'none')).toEqual([]);
  });
});
