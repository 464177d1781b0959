import type { z } from 'zod';
import { carriedOverPaths, credentialPaths, giveAgainMessage, rebinding } from './credential-binding.js';
import { keepUnchangedSecrets, mergePatch, nulledPaths } from './definition-secrets.js';
import type { HostPolicy } from './http/host-policy.js';
import { connectorDefinitionSchema, outboundUrlsOf, secretPathsOf, type ConnectorDefinition } from './registry.js';

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

/** What a save must respect besides the schema. */
export interface InputPolicy {
  /** ITSM_ALLOWED_HOSTS: a connector may only be pointed at these hosts. */
  hostPolicy?: HostPolicy;
}

export function validateDefinition(input: unknown, policy: InputPolicy = {}): InputResult {
  const r = connectorDefinitionSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: issuesOf(r.error) };
  const refused = Object.entries(outboundUrlsOf(r.data)).flatMap(([path, url]) => {
    const problem = policy.hostPolicy?.problem(url);
    return problem ? [{ path, message: problem }] : [];
  });
  return refused.length ? { ok: false, issues: refused } : { ok: true, def: r.data };
}

/** PUT / declarative apply: the input is the whole definition; secrets left out (or masked) are kept. */
export function replaceDefinition(input: unknown, existing: ConnectorDefinition | null, policy: InputPolicy = {}): InputResult {
  if (!isObj(input)) return { ok: false, issues: [{ path: '(body)', message: 'must be a JSON object' }] };
  if (!existing) return validateDefinition(input, policy);
  if (input.kind !== undefined && input.kind !== existing.kind) return { ok: false, issues: [{ path: 'kind', message: `cannot change kind (${existing.kind}) of an existing connector` }] };
  return update(input, { kind: existing.kind, ...input }, existing, [], policy);
}

/** PATCH: a JSON merge patch on top of the stored definition. */
export function patchDefinition(patch: unknown, existing: ConnectorDefinition, policy: InputPolicy = {}): InputResult {
  if (!isObj(patch)) return { ok: false, issues: [{ path: '(body)', message: 'must be a JSON object' }] };
  for (const k of ['id', 'kind'] as const) {
    if (patch[k] !== undefined && patch[k] !== existing[k]) return { ok: false, issues: [{ path: k, message: `cannot be changed (delete and create the connector instead)` }] };
  }
  return update(patch, mergePatch(existing as Obj, patch), existing, nulledPaths(patch, secretPathsOf(existing.kind)), policy);
}

/**
 * Secrets left out of an update are kept — unless the update moves the connector to another address or
 * auth type: then the credentials must be given again (credential-binding.ts), and each one that was
 * not is named in a 400.
 */
function update(given: Obj, merged: Obj, existing: ConnectorDefinition, removed: string[], policy: InputPolicy): InputResult {
  const paths = secretPathsOf(existing.kind);
  const carried = carriedOverPaths(given, existing as Obj, credentialPaths(paths), removed);
  const newType = isObj(merged.auth) ? merged.auth.type : undefined;
  if (carried.length > 0 && newType !== undefined && newType !== existing.auth.type) {
    // Another auth type: nothing of the old credentials is taken over.
    const r = validateDefinition(keepUnchangedSecrets(merged, existing as Obj, paths, [...removed, ...carried]), policy);
    const why = `auth.type changes from ${existing.auth.type} to ${String(newType)}`;
    return r.ok ? r : { ok: false, issues: r.issues.map((i) => (carried.includes(i.path) ? { path: i.path, message: giveAgainMessage(why) } : i)) };
  }
  const r = validateDefinition(keepUnchangedSecrets(merged, existing as Obj, paths, removed), policy);
  if (!r.ok || carried.length === 0) return r;
  const why = rebinding(existing, r.def);
  return why ? { ok: false, issues: carried.map((path) => ({ path, message: giveAgainMessage(why) })) } : r;
}

export const formatIssues = (issues: FieldIssue[]) => issues.map((i) => `${i.path}: ${i.message}`).join('; ');
