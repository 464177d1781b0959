import type { z } from 'zod';
import { keepUnchangedSecrets, mergePatch, nulledPaths } from './definition-secrets.js';
import { connectorDefinitionSchema, secretPathsOf, type ConnectorDefinition } from './registry.js';

export interface FieldIssue {
  path: string;
  message: string;
}
export type InputResult = { ok: true; def: ConnectorDefinition } | { ok: false; issues: FieldIssue[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

export function validateDefinition(input: unknown): InputResult {
  const r = connectorDefinitionSchema.safeParse(input);
  return r.success ? { ok: true, def: r.data } : { ok: false, issues: issuesOf(r.error) };
}

/** PUT / declarative apply: the input is the whole definition; secrets left out (or masked) are kept. */
export function replaceDefinition(input: unknown, existing: ConnectorDefinition | null): InputResult {
  if (!isObj(input)) return { ok: false, issues: [{ path: '(body)', message: 'must be a JSON object' }] };
  if (!existing) return validateDefinition(input);
  if (input.kind !== undefined && input.kind !== existing.kind) return { ok: false, issues: [{ path: 'kind', message: `cannot change kind (${existing.kind}) of an existing connector` }] };
  return validateDefinition(keepUnchangedSecrets({ kind: existing.kind, ...input }, existing as Obj, secretPathsOf(existing.kind)));
}

/** PATCH: a JSON merge patch on top of the stored definition. */
export function patchDefinition(patch: unknown, existing: ConnectorDefinition): InputResult {
  if (!isObj(patch)) return { ok: false, issues: [{ path: '(body)', message: 'must be a JSON object' }] };
  for (const k of ['id', 'kind'] as const) {
    if (patch[k] !== undefined && patch[k] !== existing[k]) return { ok: false, issues: [{ path: k, message: `cannot be changed (delete and create the connector instead)` }] };
  }
  const merged = mergePatch(existing as Obj, patch);
  const paths = secretPathsOf(existing.kind);
  return validateDefinition(keepUnchangedSecrets(merged, existing as Obj, paths, nulledPaths(patch, paths)));
}

export const formatIssues = (issues: FieldIssue[]) => issues.map((i) => `${i.path}: ${i.message}`).join('; ');
