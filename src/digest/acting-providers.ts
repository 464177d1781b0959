import type { Db } from '../db/client.js';
import type { InitiativeStore } from '../initiatives/store.js';
import type { TargetStore } from '../targets/store.js';
import type { DigestProviders, TeamTarget } from './providers.js';

/**
 * The digest's view of targets and initiatives (src/targets, src/initiatives): the team's own target
 * (else the default for all teams) as shares, and the team's and the systemic initiatives in progress.
 * Each figure is judged by the digest for its week with the dashboard's rule (src/digest/targets.ts).
 */
export function actingDigestProviders(db: Db, publicUrl: string): DigestProviders {
  // The stores load with the first digest: every process builds these providers, few send digests.
  let stores: Promise<{ targets: TargetStore; initiatives: InitiativeStore }> | null = null;
  const load = () =>
    (stores ??= Promise.all([import('../targets/store.js'), import('../initiatives/store.js')])
      .then(([t, i]) => ({ targets: new t.TargetStore(db), initiatives: new i.InitiativeStore(db) }))
      .catch((e: unknown) => {
        stores = null; // the next digest tries again
        throw e;
      }));
  return {
    async targetsForTeam(team) {
      const { targets } = await load();
      const t = (await targets.get(team.teamKey)) ?? (await targets.get('default'));
      if (!t) return [];
      const out: TeamTarget[] = [];
      // Stored in % (CSAT, rates) and points (NPS); the digest's figures are shares 0..1 and points.
      if (t.csat !== null) out.push({ metric: 'csat', target: t.csat / 100 });
      if (t.nps !== null) out.push({ metric: 'nps', target: t.nps });
      if (t.responseRate !== null) out.push({ metric: 'responseRate', target: t.responseRate / 100 });
      if (t.followUpOnTime !== null) out.push({ metric: 'followUpOnTime', target: t.followUpOnTime / 100 });
      return out;
    },
    async initiativesInProgress(team) {
      const { initiatives } = await load();
      const list = await initiatives.list({ status: 'in_progress', team: team.teamKey });
      return list.map((i) => ({
        title: i.title,
        owner: i.owner || null,
        status: i.status,
        startedOn: i.startDate,
        endsOn: i.endDate,
        addresses: [...i.themes, ...i.categories],
        // The dashboard lists the team's initiatives with their measured effect.
        url: `${publicUrl}/admin/dashboard?team=${encodeURIComponent(team.teamKey)}#initiative-${i.id}`,
      }));
    },
  };
}
