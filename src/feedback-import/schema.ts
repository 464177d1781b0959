import { z } from 'zod';
import { dateSchema } from '../initiatives/schema.js';

/**
 * One piece of non-survey feedback as the CSV import and the JSON endpoint take it. The score is
 * optional and comes with its scale (csat 1–5, nps 0–10, ces 1–7, or a range "1-10"); it is kept for
 * reading and never joins a survey figure.
 */
export const SOURCE_KINDS = ['focus_group', 'interview', 'hallway', 'other_tool', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
const SCALE_RANGES = { csat: [1, 5], nps: [0, 10], ces: [1, 7] } as const;

const optionalText = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

export const feedbackItemSchema = z
  .strictObject({
    source: z.string({ error: 'is required (where it came from, e.g. "Q3 focus group, Berlin")' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    kind: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }),
    date: dateSchema,
    /** A team key, or a team's name; empty / null when the item is not about one team. */
    team: optionalText(300),
    category: optionalText(200),
    score: z
      .union([z.number(), z.string().trim()], { error: 'must be a number' })
      .nullish()
      .transform((v, ctx) => {
        if (v === null || v === undefined || v === '') return null;
        const n = typeof v === 'number' ? v : Number(v.replace(',', '.'));
        if (!Number.isFinite(n)) {
          ctx.addIssue({ code: 'custom', message: 'must be a number' });
          return z.NEVER;
        }
        return n;
      }),
    /** csat | nps | ces | "<min>-<max>" (e.g. 1-10). Required with a score. */
    scale: optionalText(40),
    text: z.string({ error: 'is required (what was said)' }).trim().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters'),
    externalId: optionalText(200),
  })
  .transform((item, ctx) => {
    let scale: { kind: 'csat' | 'nps' | 'ces' | 'range'; min: number; max: number } | null = null;
    if (item.scale !== null) {
      const named = SCALE_RANGES[item.scale.toLowerCase() as keyof typeof SCALE_RANGES];
      const range = /^(-?\d+(?:\.\d+)?)\s*(?:-|–|\.\.)\s*(-?\d+(?:\.\d+)?)$/.exec(item.scale);
      if (named) scale = { kind: item.scale.toLowerCase() as 'csat' | 'nps' | 'ces', min: named[0], max: named[1] };
      else if (range && Number(range[1]) < Number(range[2])) scale = { kind: 'range', min: Number(range[1]), max: Number(range[2]) };
      else ctx.addIssue({ code: 'custom', path: ['scale'], message: 'must be csat, nps, ces or a range like 1-10' });
    }
    if (item.score !== null && item.scale === null) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'is required with a score (csat, nps, ces or a range like 1-10)' });
    if (item.score === null && item.scale !== null) ctx.addIssue({ code: 'custom', path: ['score'], message: 'is required with a scale' });
    if (item.score !== null && scale && (item.score < scale.min || item.score > scale.max)) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: `must be between ${scale.min} and ${scale.max} on this scale` });
    }
    return { ...item, scale };
  });

export type FeedbackItemInput = z.infer<typeof feedbackItemSchema>;

/** CSV columns (header row, any order; snake_case or camelCase). */
export const CSV_COLUMNS = ['source', 'kind', 'date', 'team', 'category', 'score', 'scale', 'text', 'external_id'] as const;
export const REQUIRED_COLUMNS = ['source', 'kind', 'date', 'text'] as const;
