import { IANAZone } from 'luxon';
import { z } from 'zod';
import { DEFAULT_OUTCOME_CODES, OUTCOME_CODE_PATTERN } from '../rules/outcome-codes.js';
import { rulesConfigSchema } from '../rules/rules-config.js';

/** Fields every connector kind shares. Kind-specific parts live in each connector's folder. */

export const connectorIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit');

export const httpUrlSchema = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const intakeSchema = z
  .object({
    /** poll, push (webhooks), or both at once (duplicates collapse into one closure). */
    mode: z.enum(['poll', 'push', 'both']).default('both'),
    pollIntervalSeconds: z.int().min(5).max(86_400).default(60),
    /** Each poll re-reads this much before the cursor: ITSM clocks, time zones and eventual consistency. */
    overlapSeconds: z.int().min(0).max(86_400).default(300),
    pageSize: z.int().min(1).max(10_000).default(1000),
    /** How far back the first poll of a new connector looks. */
    initialLookbackHours: z.int().min(0).max(24 * 90).default(24),
  })
  .strict();

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

const email = z.email('must be an email address');
const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #0b5cad');

/** Writing answers back onto the ticket. */
export const writeBackSchema = z
  .object({
    /** internal: agents only (ServiceNow work note, JSM internal comment); public: customer-visible comment; none: fields only. */
    target: z.enum(['internal', 'public', 'none']).default('internal'),
    /** Wait this long after an answer before writing, so a quick change of mind produces one note. */
    debounceSeconds: z.int().min(0).max(3600).default(120),
    /**
     * Optional ticket fields for structured data, e.g. {score: "u_csat_score", comment: "u_csat_comment"};
     * label gets the note's first line, detractor "true"/"false" for the answer that stands now.
     */
    fields: z
      .object({
        score: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/).optional(),
        comment: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/).optional(),
        label: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/).optional(),
        detractor: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Service recovery: a follow-up task for every detractor. */
export const followUpSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** An answer at or below this is a detractor (per scale). */
    detractorMax: z.object({ csat: z.int().min(1).max(5).default(2), nps: z.int().min(0).max(10).default(6), ces: z.int().min(1).max(7).default(3) }).strict().prefault({}),
    /** Due this long after the answer. */
    dueHours: z.int().min(1).max(24 * 14).default(24),
    /** ITSM priority for the task: ServiceNow 1-5; Jira a priority id (digits) or name (e.g. High). */
    priority: z.string().max(20).default('2'),
    /** Assign to this group instead of the ticket's. */
    assignmentGroup: z.string().max(64).nullable().default(null),
    /** Team lead per assignment group (group id or name → user id). */
    assigneeByGroup: z.record(z.string(), z.string().max(64)).default({}),
    /**
     * Codes an agent puts at the start of the follow-up task's close notes (the task text lists them);
     * read back when the task closes. `could_not_reach` counts as "never reached" in recovery figures.
     */
    outcomeCodes: z
      .array(z.string().regex(OUTCOME_CODE_PATTERN, 'must be a lowercase code like could_not_reach'))
      .min(1, 'must list at least one code')
      .max(12)
      .refine((codes) => new Set(codes).size === codes.length, 'must not repeat a code')
      .default([...DEFAULT_OUTCOME_CODES]),
    escalation: z
      .object({
        /** When overdue: a note on the ticket and on the task. */
        notes: z.boolean().default(true),
        /** When overdue: an email to this address. */
        email: z.email('must be an email address').nullable().default(null),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** How surveys of this connector look and behave. */
export const surveySettingsSchema = z
  .object({
    scale: z.enum(['csat', 'nps', 'ces']).default('csat'),
    /** Used when the requester's ITSM language is missing or not shipped. */
    defaultLocale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag like en or de-DE').default('en'),
    /** Answers (and changes of mind) are accepted this long after sending. */
    expiryDays: z.int().min(1).max(90).default(28),
    /** One reminder this many days after sending when there is no answer; null = none. */
    reminderAfterDays: z.int().min(1).max(30).nullable().default(null),
    /** Ask "What mattered most?" (responsiveness, reliability, assurance, empathy, other) on the survey page, never in the email. */
    askWhatMattered: z.boolean().default(false),
    /** Sender; the address falls back to MAIL_FROM. */
    fromAddress: email.optional(),
    fromName: z.string().trim().min(1).max(100).optional(),
    replyTo: email.optional(),
    branding: z
      .object({
        organisationName: z.string().trim().min(1).max(100).default('IT Service Desk'),
        logoUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).nullable().default(null),
        primaryColor: hexColour.default('#0b5cad'),
        textColor: hexColour.default('#1f2328'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type SurveySettings = z.infer<typeof surveySettingsSchema>;
export type Branding = SurveySettings['branding'];

const localeTag = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag like en or de-DE');

/** The weekly digest per team for its team meeting (src/digest/). */
export const digestSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** ISO weekday it goes out: 1 = Monday … 7 = Sunday. It covers the last full week (Monday to Sunday) before that moment. */
    day: z.int().min(1).max(7).default(1),
    /** Hour of that day (0–23) in `timeZone`. */
    hour: z.int().min(0).max(23).default(8),
    /** IANA zone of the send time and of the week's edges (Monday 00:00 to Monday 00:00 there). */
    timeZone: z.string().trim().refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone like Europe/Berlin').default('UTC'),
    /** Language of the digests; null: the connector's survey.defaultLocale. */
    locale: localeTag.nullable().default(null),
    /** Team (assignment group id or name) → the address its digest goes to. */
    teamEmails: z.record(z.string().trim().min(1).max(200), email).default({}),
    /** Team (group id or name) → language, where it differs from `locale`. */
    teamLocales: z.record(z.string().trim().min(1).max(200), localeTag).default({}),
    /** Without a teamEmails entry, use the ITSM group's own address (ServiceNow sys_user_group.email; Jira has none). */
    groupEmailFromItsm: z.boolean().default(true),
    /** Comments listed at most (detractors first); the rest are counted. */
    maxComments: z.int().min(0).max(200).default(30),
    /** Weeks in the trend, the reported one included. */
    trendWeeks: z.int().min(2).max(26).default(8),
  })
  .strict();
export type DigestSettings = z.infer<typeof digestSettingsSchema>;

/** Reporting settings. */
export const analyticsSchema = z
  .object({
    /** Publish team-level scores and trends at /scoreboard/<connector id> (no comments, no names). */
    publicScoreboard: z.boolean().default(false),
    /** Publish done improvement initiatives at /you-said-we-did/<connector id> (what customers said, what changed, the measured effect). */
    publicYouSaidWeDid: z.boolean().default(false),
    /** Link that page from the survey email's footer (only while publicYouSaidWeDid is on). */
    youSaidWeDidInEmail: z.boolean().default(false),
    digest: digestSettingsSchema.prefault({}),
  })
  .strict();

export const commonFields = {
  id: connectorIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  enabled: z.boolean().default(true),
  baseUrl: httpUrlSchema,
  intake: intakeSchema.prefault({}),
  rules: rulesConfigSchema.prefault({}),
  survey: surveySettingsSchema.prefault({}),
  writeBack: writeBackSchema.prefault({}),
  followUp: followUpSchema.prefault({}),
  analytics: analyticsSchema.prefault({}),
  /** Calls per second to this ITSM, across all processes (0 = no limit of our own). */
  rateLimitPerSecond: z.int().min(0).max(1000).default(20),
  /** Shared secret that push notifications must carry. */
  webhookSecret: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
};
