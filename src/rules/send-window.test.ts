import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { SendWindow } from './rules-config.js';
import { seededRandom } from './sampling.js';
import { nextSendTime, resolveTimeZone } from './send-window.js';

const weekdays: SendWindow = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', defaultTimeZone: 'Europe/Berlin' };
const everyDay: SendWindow = { ...weekdays, days: [1, 2, 3, 4, 5, 6, 7] };

const at = (iso: string) => new Date(iso);
const next = (now: string, window: SendWindow | null, tz: string | null = null) =>
  nextSendTime(at(now), window, tz).toISOString();

describe('nextSendTime basics (Europe/Berlin, CET = UTC+1 in early March 2026)', () => {
  it('returns now when there is no window', () => {
    const now = at('2026-03-07T03:00:00Z');
    expect(nextSendTime(now, null, 'Europe/Berlin').getTime()).toBe(now.getTime());
  });

  it('inside the window → now (Wednesday 11:00)', () => {
    expect(next('2026-03-04T10:00:00.123Z', weekdays)).toBe('2026-03-04T10:00:00.123Z');
  });

  it('start is inclusive, end is exclusive, to the second', () => {
    expect(next('2026-03-04T07:59:59Z', weekdays)).toBe('2026-03-04T08:00:00.000Z'); // 08:59:59 → 09:00 today
    expect(next('2026-03-04T08:00:00Z', weekdays)).toBe('2026-03-04T08:00:00.000Z'); // 09:00:00 → now
    expect(next('2026-03-04T15:59:59Z', weekdays)).toBe('2026-03-04T15:59:59.000Z'); // 16:59:59 → now
    expect(next('2026-03-04T16:00:00Z', weekdays)).toBe('2026-03-05T08:00:00.000Z'); // 17:00 → tomorrow 09:00
  });

  it("before start → today's start", () => {
    expect(next('2026-03-04T05:00:00Z', weekdays)).toBe('2026-03-04T08:00:00.000Z');
  });

  it('just after local midnight belongs to the new local day (23:30 UTC is already Thursday in Berlin)', () => {
    expect(next('2026-03-04T23:30:00Z', weekdays)).toBe('2026-03-05T08:00:00.000Z');
  });

  it('after end → next allowed day, skipping the weekend', () => {
    expect(next('2026-03-06T16:30:00Z', weekdays)).toBe('2026-03-09T08:00:00.000Z'); // Fri 17:30 → Mon
    expect(next('2026-03-07T12:00:00Z', weekdays)).toBe('2026-03-09T08:00:00.000Z'); // Sat → Mon
    expect(next('2026-03-08T12:00:00Z', weekdays)).toBe('2026-03-09T08:00:00.000Z'); // Sun → Mon
  });

  it('a single allowed day after its window closes waits a full week', () => {
    const sundays = { ...weekdays, days: [7] };
    expect(next('2026-03-08T17:00:00Z', sundays)).toBe('2026-03-15T08:00:00.000Z');
  });

  it('rejects a hand-built window with no days instead of looping', () => {
    expect(() => next('2026-03-04T10:00:00Z', { ...weekdays, days: [] })).toThrow(RangeError);
  });
});

describe('nextSendTime time zones', () => {
  it("computes in the recipient's zone, accepting aliases such as US/Pacific", () => {
    // Wed 02:00 PST → 09:00 PST = 17:00Z (the Berlin default would have said "inside").
    expect(next('2026-03-04T10:00:00Z', weekdays, 'US/Pacific')).toBe('2026-03-04T17:00:00.000Z');
  });

  it.each([[null], [''], ['   '], ['Mars/Olympus'], ['GMT+25']])(
    'falls back to the default zone for recipient zone %j',
    (tz) => {
      expect(next('2026-03-04T05:00:00Z', weekdays, tz)).toBe('2026-03-04T08:00:00.000Z');
    },
  );
});

describe('nextSendTime across DST', () => {
  it('Europe/Berlin spring forward (Sun 2026-03-29): next opening uses CEST (UTC+2)', () => {
    expect(next('2026-03-27T16:30:00Z', weekdays)).toBe('2026-03-30T07:00:00.000Z'); // Fri 17:30 CET → Mon 09:00 CEST
    expect(next('2026-03-28T17:00:00Z', everyDay)).toBe('2026-03-29T07:00:00.000Z'); // Sat 18:00 CET → Sun 09:00 CEST
  });

  it('Europe/Berlin fall back (Sun 2026-10-25): next opening uses CET (UTC+1)', () => {
    expect(next('2026-10-23T15:30:00Z', weekdays)).toBe('2026-10-26T08:00:00.000Z');
  });

  it('America/New_York fall back (Sun 2026-11-01): EDT → EST', () => {
    const ny = { ...weekdays, defaultTimeZone: 'America/New_York' };
    expect(next('2026-10-30T22:00:00Z', ny)).toBe('2026-11-02T14:00:00.000Z'); // Fri 18:00 EDT → Mon 09:00 EST
    expect(next('2026-10-31T22:00:00Z', { ...ny, days: [7] })).toBe('2026-11-01T14:00:00.000Z'); // Sat → Sun 09:00 EST
    expect(next('2026-11-01T13:59:59Z', { ...ny, days: [7] })).toBe('2026-11-01T14:00:00.000Z'); // 08:59:59 EST
  });

  it('America/New_York spring forward (Sun 2026-03-08): EST → EDT', () => {
    expect(next('2026-03-07T23:00:00Z', everyDay, 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
  });

  it('a start inside the spring-forward gap opens at the transition (02:30 → 03:00 CEST), not 03:30', () => {
    const early = { ...everyDay, start: '02:30' };
    expect(next('2026-03-28T20:00:00Z', early)).toBe('2026-03-29T01:00:00.000Z');
    // 03:10 CEST is after 02:30 on the wall clock, so it is inside the window.
    expect(next('2026-03-29T01:10:00Z', early)).toBe('2026-03-29T01:10:00.000Z');
    // the same in New York (02:30 does not exist on 2026-03-08; 03:00 EDT = 07:00Z)
    expect(next('2026-03-08T05:00:00Z', early, 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
  });

  it('a start inside the fall-back overlap uses its first occurrence and never returns the past', () => {
    const early = { ...everyDay, start: '01:30', defaultTimeZone: 'America/New_York' };
    expect(next('2026-10-31T22:00:00Z', early)).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    // 01:10 EST (second pass through 01:xx): the window opened at 05:30Z already → now.
    expect(next('2026-11-01T06:10:00Z', early)).toBe('2026-11-01T06:10:00.000Z');
  });

  it('property: result ≥ now, lands inside the window, and is now or exactly the opening time', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    const rnd = seededRandom(2026);
    const from = Date.parse('2026-01-01T00:00:00Z');
    const window: SendWindow = { days: [1, 3, 5, 7], start: '08:15', end: '18:45', defaultTimeZone: 'UTC' };
    for (let i = 0; i < 2000; i++) {
      const zone = zones[i % zones.length]!;
      const now = new Date(from + Math.floor(rnd() * 365 * 86_400_000));
      const sendAt = nextSendTime(now, window, zone);
      const local = DateTime.fromJSDate(sendAt, { zone });
      const minute = local.hour * 60 + local.minute;
      expect(sendAt.getTime()).toBeGreaterThanOrEqual(now.getTime());
      expect(window.days).toContain(local.weekday);
      expect(minute).toBeGreaterThanOrEqual(8 * 60 + 15);
      expect(minute).toBeLessThan(18 * 60 + 45);
      if (sendAt.getTime() !== now.getTime()) {
        expect(local.toFormat('HH:mm:ss.SSS')).toBe('08:15:00.000');
        expect(sendAt.getTime() - now.getTime()).toBeLessThan(3 * 86_400_000); // never skips an allowed day
      }
    }
  });
});

describe('resolveTimeZone', () => {
  it('keeps a valid recipient zone (trimmed)', () => {
    expect(resolveTimeZone(' America/New_York ', 'Europe/Berlin')).toBe('America/New_York');
  });
  it.each([[null], [''], ['Not/AZone']])('falls back for %j', (tz) => {
    expect(resolveTimeZone(tz, 'Europe/Berlin')).toBe('Europe/Berlin');
  });
  it('uses UTC if the fallback is invalid too', () => {
    expect(resolveTimeZone('nope', 'also-nope')).toBe('UTC');
  });
});
