import { sql } from 'kysely';
import type { StageContext } from '../pipeline/context.js';
import { resolveLocale } from '../render/locales.js';
import { lastFullWeek, weeksEndingWith, weekStarting, type DigestWeek } from './period.js';
import { digestLocale, digestRecipient } from './recipients.js';
import { digestsOfWeek, insertDigests, type NewDigest } from './store.js';

export interface PlanResult {
  week: string | null;
  teams: number;
  added: number;
  enqueued: number;
  skipped: number;
  reason?: string;
}

/**
 * Plans one connector's digests for a week (by default the last full week before `now`): one ledger
 * row per team that had surveys in the trend window, with its address and language (or 'skipped'
 * with the reason when it has no address), then one send job per pending row (ids in the payload).
 * Running it twice for the same week adds nothing and enqueues the same job ids.
 */
export async function planDigests(ctx: StageContext, connectorId: string, opts: { period?: string; force?: boolean } = {}): Promise<PlanResult> {
  const def = await ctx.connectors.get(connectorId);
  if (!def) return { week: null, teams: 0, added: 0, enqueued: 0, skipped: 0, reason: 'connector no longer exists' };
  const s = def.analytics.digest;
  if (!s.enabled && !opts.force) return { week: null, teams: 0, added: 0, enqueued: 0, skipped: 0, reason: 'digests are off for this connector (analytics.digest.enabled)' };
  const week: DigestWeek | null = opts.period ? weekStarting(opts.period, s.timeZone) : lastFullWeek(ctx.now(), s.timeZone);
  if (!week) return { week: null, teams: 0, added: 0, enqueued: 0, skipped: 0, reason: `${opts.period} is not a Monday` };
  const trendFrom = weeksEndingWith(week, s.trendWeeks)[0]!.from;

  const teams = (
    await sql<{ key: string; label: string }>`
      SELECT f.team_key AS key, max(f.team_label) AS label
      FROM survey_facts f
      WHERE f.connector_id = ${def.id} AND f.sent_at >= ${trendFrom} AND f.sent_at < ${week.to} AND f.team_key <> ${`${def.id}:`}
      GROUP BY f.team_key
      ORDER BY 2, 1`.execute(ctx.db)
  ).rows;
  const known = new Set((await digestsOfWeek(ctx.db, def.id, week.start)).map((d) => d.teamKey));
  const connector = ctx.runtime.for(def);
  const fresh: NewDigest[] = [];
  for (const team of teams.filter((t) => !known.has(t.key))) {
    const to = await digestRecipient(def, connector, team);
    fresh.push({
      connectorId: def.id,
      teamKey: team.key,
      teamLabel: team.label,
      period: week,
      locale: resolveLocale(digestLocale(def, team), def.survey.defaultLocale),
      recipient: to.address,
      skipReason: to.why,
    });
  }
  const added = await insertDigests(ctx.db, fresh);
  const rows = await digestsOfWeek(ctx.db, def.id, week.start);
  const pending = rows.filter((r) => r.status === 'pending');
  await ctx.queues.enqueueMany('digest', pending.map((r) => ({ digestId: r.id })));
  if (added > 0) ctx.logger.info({ connectorId: def.id, week: week.start, added }, 'team digests planned');
  return { week: week.start, teams: teams.length, added, enqueued: pending.length, skipped: rows.filter((r) => r.status === 'skipped').length };
}
