import { parse as parseYaml } from 'yaml';
import type { Db } from '../db/client.js';
import { TeamDirectory } from '../analytics/team-directory.js';
import { DEFAULT_TEAM, issuesText, METRICS, targetBodySchema, type Target } from './schema.js';
import { sameTarget, TargetStore } from './store.js';

/**
 * `targets apply <file>`: makes the stored targets match a YAML or JSON file (`targets: [...]` or a
 * bare list), like `connectors apply`: prints what changed, changes nothing if any entry is invalid,
 * --dry-run only prints, --prune deletes targets the file does not list.
 *
 *   targets:
 *     - { team: default, period: month, csat: 85, responseRate: 30, followUpOnTime: 90 }
 *     - { team: "Service Desk", period: week, csat: 90, nps: 30 }
 */
export interface ApplyReport {
  ok: boolean;
  lines: string[];
}

const name = (team: string) => (team === DEFAULT_TEAM ? 'default' : team);

function describeChange(before: Target, after: Omit<Target, 'teamLabel'>): string {
  const fields = (['period', ...METRICS] as const).filter((k) => before[k] !== after[k]);
  return fields.map((k) => `${k} ${before[k] ?? '—'} → ${after[k] ?? '—'}`).join(', ');
}

export async function applyTargetsFile(db: Db, text: string, opts: { dryRun: boolean; prune: boolean }): Promise<ApplyReport> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { ok: false, lines: [`cannot parse the file: ${(e as Error).message}`] };
  }
  const entries = Array.isArray(doc) ? doc : (doc as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(entries)) return { ok: false, lines: ['the file must be a list of targets, or have a top-level "targets:" list'] };

  const dir = new TeamDirectory(db);
  const errors: string[] = [];
  const plans: Omit<Target, 'teamLabel'>[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of entries.entries()) {
    const label = `targets[${i}]${typeof (raw as { team?: unknown })?.team === 'string' ? ` (${(raw as { team: string }).team})` : ''}`;
    const parsed = targetBodySchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(`${label}: ${issuesText(parsed.error)}`);
      continue;
    }
    let team = DEFAULT_TEAM;
    if (parsed.data.team !== DEFAULT_TEAM) {
      const r = await dir.resolve(parsed.data.team);
      if (!r.ok) {
        errors.push(`${label}: team: ${r.message}`);
        continue;
      }
      team = r.team.key;
    }
    if (seen.has(team)) {
      errors.push(`${label}: team ${name(team)} is already given by targets[${seen.get(team)}]`);
      continue;
    }
    seen.set(team, i);
    plans.push({ ...parsed.data, team });
  }
  if (errors.length) return { ok: false, lines: [...errors, 'nothing was changed'] };

  const store = new TargetStore(db);
  const existing = new Map((await store.list()).map((t) => [t.team, t]));
  const prefix = opts.dryRun ? '(dry run) ' : '';
  const lines: string[] = [];
  for (const plan of plans) {
    const before = existing.get(plan.team);
    if (before && sameTarget(before, plan)) {
      lines.push(`${prefix}= unchanged ${name(plan.team)}`);
      continue;
    }
    if (!opts.dryRun) await store.put(plan);
    lines.push(before ? `${prefix}~ updated ${name(plan.team)}: ${describeChange(before, plan)}` : `${prefix}+ created ${name(plan.team)}`);
  }
  if (opts.prune) {
    for (const t of existing.values()) {
      if (seen.has(t.team)) continue;
      if (!opts.dryRun) await store.delete(t.team);
      lines.push(`${prefix}- deleted ${name(t.team)} (not in the file)`);
    }
  }
  return { ok: true, lines };
}
