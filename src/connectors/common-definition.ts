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

export const commonFields = {
  id: connectorIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  enabled: z.boolean().default(true),
  baseUrl: httpUrlSchema,
  intake: intakeSchema.prefault({}),
  rules: rulesConfigSchema.prefault({}),
  /** Shared secret that push notifications must carry. */
  webhookSecret: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
};
