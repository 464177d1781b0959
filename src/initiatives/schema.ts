import { z } from 'zod';
import { INITIATIVE_STATUSES } from './transitions.js';

/** What the admin API (and the dashboard's form) take for an initiative. */
export const dateSchema = z
  .string({ error: 'must be a date like 2026-11-22' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2026-11-22', abort: true })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');

/** Theme terms as the themes API reports them: lower case, single spaces. */
const term = z
  .string()
  .transform((s) => s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'must not be empty').max(80, 'must be at most 80 characters'));
const unique = <T>(xs: T[]) => [...new Set(xs)];

const fields = {
  title: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  owner: z.string({ error: 'is required (who drives it: a name or an address)' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  /** A team key, or a team's name; null (or left out) for a systemic initiative (all teams). */
  team: z.string({ error: 'must be a team key (<connector>:<group>), a team name, or null for all teams' }).trim().min(1, 'must not be empty').max(300).nullable(),
  status: z.enum(INITIATIVE_STATUSES, { error: `must be one of ${INITIATIVE_STATUSES.join(', ')}` }),
  startDate: dateSchema.nullable(),
  endDate: dateSchema.nullable(),
  themes: z.array(term, { error: 'must be a list of terms' }).max(20, 'at most 20 themes').transform(unique),
  categories: z.array(z.string().trim().min(1, 'must not be empty').max(200), { error: 'must be a list of categories' }).max(20, 'at most 20 categories').transform(unique),
  notes: z.string({ error: 'must be text' }).max(10_000, 'must be at most 10000 characters'),
  publicSummary: z.string({ error: 'must be text' }).trim().max(2000, 'must be at most 2000 characters'),
  effectWeeks: z.int({ error: 'must be a whole number of weeks' }).min(1, 'must be at least 1').max(52, 'must be at most 52'),
  citedItems: z
    .array(z.union([z.int().positive('must be a feedback item id'), z.string().regex(/^\d{1,18}$/, 'must be a feedback item id')], { error: 'must be a feedback item id' }), { error: 'must be a list of feedback item ids' })
    .max(200, 'at most 200 items')
    .transform((xs) => unique(xs.map(String))),
};

export const createInitiativeSchema = z.strictObject({
  title: fields.title,
  owner: fields.owner,
  team: fields.team.default(null),
  status: fields.status.default('proposed'),
  startDate: fields.startDate.default(null),
  endDate: fields.endDate.default(null),
  themes: fields.themes.default([]),
  categories: fields.categories.default([]),
  notes: fields.notes.default(''),
  publicSummary: fields.publicSummary.default(''),
  effectWeeks: fields.effectWeeks.default(6),
  citedItems: fields.citedItems.default([]),
});
export type CreateInitiative = z.infer<typeof createInitiativeSchema>;

export const patchInitiativeSchema = z.strictObject({
  title: fields.title.optional(),
  owner: fields.owner.optional(),
  team: fields.team.optional(),
  status: fields.status.optional(),
  startDate: fields.startDate.optional(),
  endDate: fields.endDate.optional(),
  themes: fields.themes.optional(),
  categories: fields.categories.optional(),
  notes: fields.notes.optional(),
  publicSummary: fields.publicSummary.optional(),
  effectWeeks: fields.effectWeeks.optional(),
  citedItems: fields.citedItems.optional(),
});
export type PatchInitiative = z.infer<typeof patchInitiativeSchema>;

export const mirrorBodySchema = z.strictObject({
  connectorId: z.string({ error: 'is required: the connector whose ITSM gets the record' }).regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a connector id'),
});

export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`).join('; ');
}
