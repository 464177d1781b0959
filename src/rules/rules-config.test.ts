import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDED_CLOSE_CODES, formatRulesConfigIssues, rulesConfigSchema } from './rules-config.js';

/** Parse and return the admin-facing error lines ([] when valid). */
function problems(input: unknown): string[] {
  const r = rulesConfigSchema.safeParse(input);
  return r.success ? [] : formatRulesConfigIssues(r.error);
}

const window = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', defaultTimeZone: 'Europe/Berlin' };

describe('rulesConfigSchema defaults', () => {
  it('parse({}) gives the full default config', () => {
    expect(rulesConfigSchema.parse({})).toEqual({
      oncePerTicket: true,
      cooldownDays: 14,
      maxSurveysPer30Days: 4,
      samplingPercent: 100,
      maxClosureAgeHours: 72,
      excludeRequesterIsResolver: true,
      exclude: {
        categories: [],
        closeCodes: ['Duplicate', 'Canceled', 'Cancelled', 'Auto-closed', 'Auto closed'],
        assignmentGroups: [],
        domains: [],
        emails: [],
      },
      sendWindow: null,
    });
  });

  it('fills exclude defaults when only some lists are given', () => {
    const c = rulesConfigSchema.parse({ exclude: { categories: ['Password reset'] } });
    expect(c.exclude.categories).toEqual(['Password reset']);
    expect(c.exclude.closeCodes).toEqual([...DEFAULT_EXCLUDED_CLOSE_CODES]);
  });

  it('an explicit empty closeCodes list turns the default exclusions off', () => {
    expect(rulesConfigSchema.parse({ exclude: { closeCodes: [] } }).exclude.closeCodes).toEqual([]);
  });

  it('does not share default arrays between parses', () => {
    const a = rulesConfigSchema.parse({});
    a.exclude.closeCodes.push('Mutated');
    expect(rulesConfigSchema.parse({}).exclude.closeCodes).not.toContain('Mutated');
  });

  it('accepts the boundaries: 0 disables, 365 days, decimal sampling', () => {
    const c = rulesConfigSchema.parse({
      cooldownDays: 365,
      maxSurveysPer30Days: 0,
      samplingPercent: 12.5,
      maxClosureAgeHours: 0,
    });
    expect(c).toMatchObject({ cooldownDays: 365, maxSurveysPer30Days: 0, samplingPercent: 12.5, maxClosureAgeHours: 0 });
    expect(rulesConfigSchema.parse({ cooldownDays: 0 }).cooldownDays).toBe(0);
  });
});

describe('rulesConfigSchema normalisation', () => {
  it('normalises the do-not-survey list and domains, trims text entries', () => {
    const c = rulesConfigSchema.parse({
      exclude: { emails: ['  CEO <CEO@Example.com> '], domains: [' Example.COM '], categories: ['  Hardware '] },
    });
    expect(c.exclude.emails).toEqual(['ceo@example.com']);
    expect(c.exclude.domains).toEqual(['example.com']);
    expect(c.exclude.categories).toEqual(['Hardware']);
  });

  it('accepts a valid send window and trims its zone', () => {
    const c = rulesConfigSchema.parse({ sendWindow: { ...window, defaultTimeZone: ' America/New_York ' } });
    expect(c.sendWindow).toEqual({ ...window, defaultTimeZone: 'America/New_York' });
  });
});

describe('rulesConfigSchema errors name the field', () => {
  it('rejects unknown keys at the top level and nested', () => {
    expect(problems({ coolDownDays: 7 })).toEqual(['coolDownDays: unknown setting']);
    expect(problems({ exclude: { domain: ['x.com'] } })).toEqual(['exclude.domain: unknown setting']);
    expect(problems({ sendWindow: { ...window, tz: 'UTC' } })).toEqual(['sendWindow.tz: unknown setting']);
  });

  it.each([
    [{ cooldownDays: -1 }, 'cooldownDays: must be 0 (off) or more'],
    [{ cooldownDays: 366 }, 'cooldownDays: must be at most 365'],
    [{ cooldownDays: 1.5 }, 'cooldownDays: must be a whole number'],
    [{ cooldownDays: '14' }, 'cooldownDays: must be a whole number'],
    [{ maxSurveysPer30Days: -1 }, 'maxSurveysPer30Days: must be 0 (unlimited) or more'],
    [{ samplingPercent: 100.1 }, 'samplingPercent: must be between 0 and 100'],
    [{ samplingPercent: -0.1 }, 'samplingPercent: must be between 0 and 100'],
    [{ maxClosureAgeHours: 2.5 }, 'maxClosureAgeHours: must be a whole number'],
    [{ oncePerTicket: 'yes' }, 'oncePerTicket: must be true or false'],
    [{ exclude: { emails: ['not-an-address'] } }, 'exclude.emails.0: is not a valid email address'],
    [{ exclude: { domains: ['@example.com'] } }, 'exclude.domains.0: must be a bare domain such as example.com (no @, no spaces)'],
    [{ exclude: { categories: ['  '] } }, 'exclude.categories.0: must not be empty'],
    [{ exclude: { closeCodes: 'Duplicate' } }, 'exclude.closeCodes: must be a list of strings'],
  ])('%j → %s', (input, message) => {
    expect(problems(input)).toEqual([message]);
  });

  it.each([
    [{ ...window, end: '09:00' }, 'sendWindow.end: must be later than start (windows cannot span midnight)'],
    [{ ...window, start: '22:00', end: '06:00' }, 'sendWindow.end: must be later than start (windows cannot span midnight)'],
    [{ ...window, start: '9:00' }, 'sendWindow.start: must be a 24-hour time "HH:mm"'],
    [{ ...window, end: '24:00' }, 'sendWindow.end: must be a 24-hour time "HH:mm"'],
    [{ ...window, days: [] }, 'sendWindow.days: must name at least one weekday'],
    [{ ...window, days: [0] }, 'sendWindow.days.0: must be 1 (Mon) … 7 (Sun)'],
    [{ ...window, days: [1, 8] }, 'sendWindow.days.1: must be 1 (Mon) … 7 (Sun)'],
    [{ ...window, days: [1, 1] }, 'sendWindow.days: must not repeat a weekday'],
    [{ ...window, defaultTimeZone: 'Mars/Olympus' }, 'sendWindow.defaultTimeZone: must be a valid IANA time zone such as Europe/Berlin'],
    [{ ...window, defaultTimeZone: '' }, 'sendWindow.defaultTimeZone: must be a valid IANA time zone such as Europe/Berlin'],
  ])('bad send window %j → %s', (sendWindow, message) => {
    expect(problems({ sendWindow })).toEqual([message]);
  });

  it('reports a missing window field by name', () => {
    const { defaultTimeZone: _omit, ...rest } = window;
    expect(problems({ sendWindow: rest })).toEqual(['sendWindow.defaultTimeZone: must be an IANA time zone name']);
  });

  it('reports every problem, not just the first', () => {
    expect(problems({ cooldownDays: -1, samplingPercent: 101 })).toHaveLength(2);
  });
});
