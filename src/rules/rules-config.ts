// Anti-spam rules configuration (one per connector). Admins write it as YAML/JSON, so every
// message here is phrased to read well as "field: reason", and unknown keys are errors: a typo
// such as `coolDownDays` must fail loudly instead of silently keeping the default.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { normaliseEmail } from './email.js';

/**
 * Close codes / resolutions excluded by default: the ticket was not really worked on, so a
 * survey would ask about service the person never received. Covers ServiceNow and Jira
 * spellings of duplicate, cancelled and auto-closed. Deliberately NOT included: "Closed/Resolved
 * by Caller" and Jira "Won't Do" — the caller did interact with the desk, and whether those are
 * surveyed is a per-customer policy call; add them to `exclude.closeCodes` if wanted.
 * Matching is case-insensitive and trimmed, so only genuinely different spellings are listed.
 */
export const DEFAULT_EXCLUDED_CLOSE_CODES: readonly string[] = Object.freeze([
  'Duplicate',
  'Canceled',
  'Cancelled',
  'Auto-closed',
  'Auto closed',
]);

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const wholeNumber = () =>
  z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' });

// Entries are trimmed; comparison is case-insensitive at rule time, so the admin's spelling is kept.
const textList = (defaults: () => string[] = () => []) =>
  z
    .array(z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }), {
      error: 'must be a list of strings',
    })
    .default(defaults);

const domainList = z
  .array(
    z
      .string({ error: 'must be a string' })
      .trim()
      .toLowerCase()
      .refine((d) => d.length > 0 && !/[\s@]/.test(d) && d.split('.').every((l) => l.length > 0), {
        error: 'must be a bare domain such as example.com (no @, no spaces)',
      }),
    { error: 'must be a list of domains' },
  )
  .default(() => []);

// The do-not-survey list is stored normalised so it compares equal to normalised requesters.
const emailList = z
  .array(
    z
      .string({ error: 'must be a string' })
      .refine((e) => normaliseEmail(e) !== null, { error: 'is not a valid email address' })
      .transform((e) => normaliseEmail(e) as string),
    { error: 'must be a list of email addresses' },
  )
  .default(() => []);

export const excludeSchema = z.strictObject(
  {
    categories: textList(),
    closeCodes: textList(() => [...DEFAULT_EXCLUDED_CLOSE_CODES]),
    /** Each entry matches either the assignment group's id or its name. */
    assignmentGroups: textList(),
    /** `example.com` also excludes subdomains such as `it.example.com`. */
    domains: domainList,
    /** The do-not-survey list. */
    emails: emailList,
  },
  { error: 'must be an object' },
);

/**
 * Business hours in the recipient's local time. Same-day windows only (end > start), so a
 * window never spans midnight; to cover a whole day use 00:00–23:59.
 */
export const sendWindowSchema = z
  .strictObject(
    {
      days: z
        .array(
          wholeNumber()
            .min(1, { error: 'must be 1 (Mon) … 7 (Sun)' })
            .max(7, { error: 'must be 1 (Mon) … 7 (Sun)' }),
          { error: 'must be a list of ISO weekdays (1 = Monday … 7 = Sunday)' },
        )
        .min(1, { error: 'must name at least one weekday' })
        .refine((d) => new Set(d).size === d.length, { error: 'must not repeat a weekday' }),
      start: z.string({ error: 'must be a time "HH:mm"' }).regex(HH_MM, { error: 'must be a 24-hour time "HH:mm"' }),
      end: z.string({ error: 'must be a time "HH:mm"' }).regex(HH_MM, { error: 'must be a 24-hour time "HH:mm"' }),
      /** Used when the recipient's own zone is missing or not a valid IANA name. */
      defaultTimeZone: z
        .string({ error: 'must be an IANA time zone name' })
        .trim()
        .refine((tz) => IANAZone.isValidZone(tz), { error: 'must be a valid IANA time zone such as Europe/Berlin' }),
    },
    { error: 'must be an object or null' },
  )
  // Zero-padded HH:mm strings compare correctly as strings. zod v4 still runs this refinement
  // after a failed regex, so skip it then rather than add a confusing second message.
  .refine((w) => !HH_MM.test(w.start) || !HH_MM.test(w.end) || w.end > w.start, { error: 'must be later than start (windows cannot span midnight)', path: ['end'] });

export const rulesConfigSchema = z.strictObject(
  {
    /** A reopened and re-closed ticket is not surveyed a second time. */
    oncePerTicket: z.boolean({ error: 'must be true or false' }).default(true),
    /** No survey if the person was surveyed less than this many days ago; 0 disables. */
    cooldownDays: wholeNumber()
      .min(0, { error: 'must be 0 (off) or more' })
      .max(365, { error: 'must be at most 365' })
      .default(14),
    /** At most this many surveys per person in any rolling 30 days; 0 = unlimited. */
    maxSurveysPer30Days: wholeNumber().min(0, { error: 'must be 0 (unlimited) or more' }).default(4),
    /** Share of otherwise-eligible closures that are surveyed. */
    samplingPercent: z
      .number({ error: 'must be a number between 0 and 100' })
      .min(0, { error: 'must be between 0 and 100' })
      .max(100, { error: 'must be between 0 and 100' })
      .default(100),
    /** Closures older than this when decided are not surveyed (e.g. a backlog import); 0 disables. */
    maxClosureAgeHours: wholeNumber().min(0, { error: 'must be 0 (off) or more' }).default(72),
    excludeRequesterIsResolver: z.boolean({ error: 'must be true or false' }).default(true),
    // prefault: an absent `exclude` is parsed as `{}`, so its inner defaults apply.
    exclude: excludeSchema.prefault({}),
    sendWindow: sendWindowSchema.nullable().default(null),
  },
  { error: 'must be an object' },
);

export type RulesConfig = z.infer<typeof rulesConfigSchema>;
export type SendWindow = z.infer<typeof sendWindowSchema>;

/**
 * Turns a failed parse into admin-facing lines "field: reason". Unknown keys get one line each,
 * naming the key and the allowed keys, because zod reports them on the parent object.
 */
export function formatRulesConfigIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${at ? `${at}.` : ''}${k}: unknown setting`);
    }
    return [`${at || '(root)'}: ${issue.message}`];
  });
}
