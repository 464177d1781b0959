import { parse as parseYaml } from 'yaml';
import { formatIssues, replaceDefinition, type InputPolicy } from '../connectors/definition-input.js';
import { changedPaths } from '../connectors/definition-secrets.js';
import type { ConnectorDefinition } from '../connectors/registry.js';
import type { ConnectorStore } from '../store/connectors.js';

export interface ApplyReport {
  ok: boolean;
  lines: string[];
}

type Env = Record<string, string | undefined>;

/** `${NAME}` in any string value is replaced from the environment, so files in git hold no secrets. */
function expandEnv(value: unknown, env: Env, path: string, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing.push(`${path}: environment variable ${name} is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, path ? `${path}.${k}` : k, missing)]));
  return value;
}

/**
 * Applies a YAML or JSON file of connectors (`connectors: [...]` or a bare list): creates and updates
 * them, prints what changed, and changes nothing at all if any entry is invalid.
 * --prune disables (never deletes) connectors that are not in the file.
 */
export async function applyConnectorsFile(store: ConnectorStore, text: string, env: Env, opts: { dryRun: boolean; prune: boolean; policy?: InputPolicy }): Promise<ApplyReport> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { ok: false, lines: [`cannot parse the file: ${(e as Error).message}`] };
  }
  const entries = Array.isArray(doc) ? doc : (doc as { connectors?: unknown } | null)?.connectors;
  if (!Array.isArray(entries)) return { ok: false, lines: ['the file must be a list of connectors, or have a top-level "connectors:" list'] };

  const errors: string[] = [];
  const plans: Array<{ def: ConnectorDefinition; existing: ConnectorDefinition | null }> = [];
  const seen = new Set<string>();
  for (const [i, raw] of entries.entries()) {
    const missing: string[] = [];
    const input = expandEnv(raw, env, '', missing);
    const label = `connectors[${i}]${typeof (raw as { id?: unknown })?.id === 'string' ? ` (${(raw as { id: string }).id})` : ''}`;
    if (missing.length > 0) {
      errors.push(...missing.map((m) => `${label} ${m}`));
      continue;
    }
    const id = (input as { id?: unknown })?.id;
    if (typeof id === 'string' && seen.has(id)) {
      errors.push(`${label}: id "${id}" appears twice in the file`);
      continue;
    }
    if (typeof id === 'string') seen.add(id);
    const existing = typeof id === 'string' ? await store.get(id) : null;
    const r = replaceDefinition(input, existing, opts.policy);
    if (!r.ok) errors.push(`${label}: ${formatIssues(r.issues)}`);
    else plans.push({ def: r.def, existing });
  }
  if (errors.length > 0) return { ok: false, lines: [...errors, 'nothing was changed'] };

  const lines: string[] = [];
  const prefix = opts.dryRun ? '(dry run) ' : '';
  for (const { def, existing } of plans) {
    const changed = existing ? changedPaths(existing, def) : [];
    if (!opts.dryRun && (!existing || changed.length > 0)) await store.save(def);
    if (!existing) lines.push(`${prefix}+ created ${def.id}`);
    else if (changed.length > 0) lines.push(`${prefix}~ updated ${def.id}: ${changed.join(', ')}`);
    else lines.push(`${prefix}= unchanged ${def.id}`);
  }
  if (opts.prune) {
    for (const other of await store.list()) {
      if (seen.has(other.id) || !other.enabled) continue;
      if (!opts.dryRun) await store.save({ ...other, enabled: false });
      lines.push(`${prefix}- disabled ${other.id} (not in the file)`);
    }
  }
  return { ok: true, lines };
}
