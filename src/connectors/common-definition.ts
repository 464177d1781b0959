import { z } from 'zod';
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

export const commonFields = {
  id: connectorIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  enabled: z.boolean().default(true),
  baseUrl: httpUrlSchema,
  intake: intakeSchema.prefault({}),
  rules: rulesConfigSchema.prefault({}),
  survey: surveySettingsSchema.prefault({}),
  /** Shared secret that push notifications must carry. */
  webhookSecret: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
};
