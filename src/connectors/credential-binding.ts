import { MASK } from './definition-secrets.js';
import { outboundUrlsOf, type ConnectorDefinition } from './registry.js';

/**
 * Stored credentials belong to the address and the auth type they were given for. An update that moves
 * a connector elsewhere (baseUrl, Jira's OAuth endpoints) or to another auth type must give its secrets
 * again: otherwise anyone holding the admin token could point a connector at their own server and
 * receive the stored ITSM password with the next call.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((acc, k) => (isObj(acc) ? acc[k] : undefined), o);

/** The secrets that sign a connector in to its ITSM (not the inbound webhook secret). */
export const credentialPaths = (secretPaths: readonly string[]) => secretPaths.filter((p) => p.startsWith('auth.'));

/**
 * Credential paths an update would take over from the stored definition: left out of `input`, or sent
 * back masked, while the stored definition has a value (and not removed with null).
 */
export function carriedOverPaths(input: Obj, existing: Obj, paths: readonly string[], removed: readonly string[] = []): string[] {
  return paths.filter((p) => {
    const given = get(input, p);
    return (given === undefined || given === MASK) && !removed.includes(p) && typeof get(existing, p) === 'string';
  });
}

/** Why the stored credentials may no longer be used for `next` (a sentence), or null when they may. */
export function rebinding(existing: ConnectorDefinition, next: ConnectorDefinition): string | null {
  if (existing.auth.type !== next.auth.type) return `auth.type changes from ${existing.auth.type} to ${next.auth.type}`;
  const before = outboundUrlsOf(existing);
  const after = outboundUrlsOf(next);
  const moved = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
  if (moved.length === 0) return null;
  return moved.map((k) => `${k} changes from ${before[k] ?? '(none)'} to ${after[k] ?? '(none)'}`).join('; ');
}

export const giveAgainMessage = (why: string) => `must be given again: ${why}, and stored credentials are never sent to another address or reused for another auth type`;
