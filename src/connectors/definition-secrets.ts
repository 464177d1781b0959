/**
 * Secrets live at known paths of a connector definition ("auth.password"). These helpers move them
 * out of the definition (to be encrypted), back in (after decryption), and mask them for display.
 */
export const MASK = '********';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function get(o: Obj, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, k) => (isObj(acc) ? acc[k] : undefined), o);
}

function set(o: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur: Obj = o;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) return; // parent absent: nothing to set (e.g. clientSecret on a basic-auth connector)
    cur = cur[k] as Obj;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Splits a full definition into the part stored in clear and a flat {path: secret} map. */
export function extractSecrets(def: Obj, paths: readonly string[]): { publicPart: Obj; secrets: Record<string, string> } {
  const publicPart = clone(def);
  const secrets: Record<string, string> = {};
  for (const p of paths) {
    const v = get(publicPart, p);
    if (typeof v === 'string') secrets[p] = v;
    set(publicPart, p, undefined);
  }
  return { publicPart, secrets };
}

export function injectSecrets(publicPart: Obj, secrets: Record<string, string>): Obj {
  const def = clone(publicPart);
  for (const [p, v] of Object.entries(secrets)) set(def, p, v);
  return def;
}

/** The definition as the admin API shows it: every secret that is set reads "********". */
export function maskSecrets(def: Obj, paths: readonly string[]): Obj {
  const out = clone(def);
  for (const p of paths) if (typeof get(out, p) === 'string') set(out, p, MASK);
  return out;
}

/**
 * In an update, a secret left out or sent back masked keeps its stored value; one set to null (or named
 * in `removed`, for a merge patch that already dropped its nulls) is removed, e.g. to switch auth forms.
 */
export function keepUnchangedSecrets(input: Obj, existing: Obj, paths: readonly string[], removed: readonly string[] = []): Obj {
  const out = clone(input);
  for (const p of paths) {
    const given = get(out, p);
    if (given === null || removed.includes(p)) set(out, p, undefined);
    else if (given === undefined || given === MASK) set(out, p, get(existing, p));
  }
  return out;
}

/** The secret paths a merge patch sets to null (to remove them). */
export const nulledPaths = (patch: Obj, paths: readonly string[]): string[] => paths.filter((p) => get(patch, p) === null);

/** Recursive merge for PATCH: objects merge, arrays and scalars replace, null removes. */
export function mergePatch(base: Obj, patch: Obj): Obj {
  const out = clone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObj(v) && isObj(out[k])) out[k] = mergePatch(out[k] as Obj, v);
    else out[k] = clone(v);
  }
  return out;
}

/** Dotted paths whose values differ between two definitions (for "what changed" reports). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}
