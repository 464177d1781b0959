import { describe, expect, it } from 'vitest';
import { parseStatsQuery } from './query.js';

const now = new Date('2026-11-22T15:00:00Z');

describe('stats query', () => {
  it('defaults to the last 12 weeks up to today (inclusive)', () => {
    const q = parseStatsQuery({}, now);
    expect(q.filter.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(q.filter.from.toISOString()).toBe('2026-08-31T00:00:00.000Z');
    expect(q.groupBy).toBe('none');
  });
  it('takes whole days, to inclusive, and ignores empty form fields', () => {
    const q = parseStatsQuery({ from: '2026-10-05', to: '2026-10-18', team: '', groupBy: 'team', interval: 'month' }, now);
    expect([q.filter.from.toISOString(), q.filter.to.toISOString(), q.filter.team, q.interval]).toEqual(['2026-10-05T00:00:00.000Z', '2026-10-19T00:00:00.000Z', undefined, 'month']);
  });
  it.each([
    [{ from: '2026-02-30' }, 'from: is not a calendar date'],
    [{ from: '22.11.2026' }, 'from: must be a date like 2026-11-22'],
    [{ from: '2026-11-10', to: '2026-11-01' }, 'from: must be on or before to'],
    [{ groupBy: 'person' }, 'groupBy'],
    [{ from: '2020-01-01', to: '2026-01-01', interval: 'day' }, 'interval: day makes'],
  ])('refuses %j with a message naming the field', (raw, message) => {
    expect(() => parseStatsQuery(raw, now)).toThrow(message);
    try {
      parseStatsQuery(raw, now);
    } catch (err) {
      expect((err as { statusCode: number }).statusCode).toBe(400);
    }
  });
});
