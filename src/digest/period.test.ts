import { describe, expect, it } from 'vitest';
import { cronPattern, lastFullWeek, lastSendMoment, weeksEndingWith, weekStarting } from './period.js';

describe('digest weeks', () => {
  it('the last full week before a Monday-morning send, in the digest zone', () => {
    // Monday 2026-11-23 08:00 in Berlin (07:00 UTC): the week of Monday 16 November, Berlin midnight to midnight.
    const w = lastFullWeek(new Date('2026-11-23T07:00:00Z'), 'Europe/Berlin');
    expect(w).toEqual({ start: '2026-11-16', from: new Date('2026-11-15T23:00:00Z'), to: new Date('2026-11-22T23:00:00Z'), timeZone: 'Europe/Berlin' });
    // Auckland's Monday 08:00 is still Sunday in UTC: its own last full week, not the UTC one.
    expect(lastFullWeek(new Date('2026-11-22T19:00:00Z'), 'Pacific/Auckland').start).toBe('2026-11-16');
    expect(lastFullWeek(new Date('2026-11-22T19:00:00Z'), 'UTC').start).toBe('2026-11-09');
  });

  it('a week across the DST change has 167 hours', () => {
    const w = weekStarting('2026-03-23', 'Europe/Berlin')!;
    expect((w.to.getTime() - w.from.getTime()) / 3600_000).toBe(167);
    expect(weekStarting('2026-03-25', 'UTC')).toBeNull(); // a Wednesday
    expect(weekStarting('2026-02-30', 'UTC')).toBeNull();
    expect(weekStarting('next week', 'UTC')).toBeNull();
  });

  it('trend weeks end with the reported one', () => {
    const weeks = weeksEndingWith(weekStarting('2026-11-16', 'UTC')!, 3);
    expect(weeks.map((w) => w.start)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(weeks[2]!.to).toEqual(new Date('2026-11-23T00:00:00Z'));
  });

  it('the last send moment and the cron pattern', () => {
    const s = { day: 1, hour: 8, timeZone: 'Europe/Berlin' };
    expect(lastSendMoment(new Date('2026-11-23T07:00:00Z'), s)).toEqual(new Date('2026-11-23T07:00:00Z'));
    expect(lastSendMoment(new Date('2026-11-23T06:59:59Z'), s)).toEqual(new Date('2026-11-16T07:00:00Z'));
    expect(lastSendMoment(new Date('2026-11-26T12:00:00Z'), { day: 7, hour: 18, timeZone: 'UTC' })).toEqual(new Date('2026-11-22T18:00:00Z'));
    expect(cronPattern({ day: 1, hour: 8 })).toBe('0 8 * * 1');
    expect(cronPattern({ day: 7, hour: 18 })).toBe('0 18 * * 0');
  });
});
