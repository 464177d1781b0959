import { sql } from 'kysely';
import type { ConnectorDefinition } from '../connectors/registry.js';
import { activityDb } from '../activity/tables.js';
import type { ConsoleCtx } from './context.js';

export interface ConnectorHealth {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  mode: string;
  webhookUrl: string;
  poll: { lastSucceededAt: Date | null; lagSeconds: number | null; cursorBehindSeconds: number | null; failures: number; lastError: string | null } | null;
  webhooks: { accepted: number; duplicate: number; ignored: number; rejected: number; reasons: Array<{ reason: string; count: number }> };
  itsm: { total: number; ok: number; rateLimited: number; serverError: number; auth: number; clientError: number; network: number; errors: number };
  surveysToday: number;
  lastError: { at: Date | null; text: string; where: string } | null;
  oauthGrantError: string | null;
}

export const webhookUrlOf = (publicUrl: string, def: Pick<ConnectorDefinition, 'kind' | 'id'>) => `${publicUrl}/webhooks/${def.kind}/${def.id}`;

/**
 * Health at a glance for every connector, in five queries whatever their number: poll cursors,
 * webhooks of the last 24 h and ITSM calls of the last hour (connector_activity), surveys sent today
 * (UTC), the latest refused webhook and dead OAuth grants.
 */
export async function connectorHealth(ctx: ConsoleCtx, defs: ConnectorDefinition[]): Promise<ConnectorHealth[]> {
  if (defs.length === 0) return [];
  const now = ctx.now();
  const ids = defs.map((d) => d.id);
  const adb = activityDb(ctx.db);
  const [cursors, activity, sent, rejected, grants] = await Promise.all([
    ctx.db.selectFrom('poll_cursors').selectAll().where('connector_id', 'in', ids).execute(),
    adb
      .selectFrom('connector_activity')
      .select(['connector_id', 'kind', 'outcome', 'reason', sql<string>`sum(count)`.as('n')])
      .where('connector_id', 'in', ids)
      .where((eb) => eb.or([eb.and([eb('kind', '=', 'webhook'), eb('minute', '>=', new Date(now.getTime() - 86_400_000))]), eb.and([eb('kind', '=', 'itsm'), eb('minute', '>=', new Date(now.getTime() - 3_600_000))])]))
      .groupBy(['connector_id', 'kind', 'outcome', 'reason'])
      .execute(),
    ctx.db
      .selectFrom('surveys')
      .select(['connector_id', sql<string>`count(*)`.as('n')])
      .where('connector_id', 'in', ids)
      .where('sent_at', '>=', new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())))
      .groupBy('connector_id')
      .execute(),
    sql<{ connector_id: string; received_at: Date; reason: string | null; status: number }>`
      SELECT DISTINCT ON (connector_id) connector_id, received_at, reason, status FROM webhook_deliveries
      WHERE connector_id = ANY(${ids}::text[]) AND outcome = 'rejected' AND received_at > ${new Date(now.getTime() - 86_400_000)}
      ORDER BY connector_id, received_at DESC`.execute(adb),
    ctx.db.selectFrom('oauth_tokens').select(['connector_id', 'grant_error', 'updated_at']).where('connector_id', 'in', ids).where('grant_error', 'is not', null).execute(),
  ]);
  return defs.map((def) => {
    const c = cursors.find((x) => x.connector_id === def.id);
    const mine = activity.filter((a) => a.connector_id === def.id);
    const sum = (kind: string, outcome: string) => mine.filter((a) => a.kind === kind && a.outcome === outcome).reduce((n, a) => n + Number(a.n), 0);
    const itsm = { ok: sum('itsm', 'ok'), rateLimited: sum('itsm', 'rate_limited'), serverError: sum('itsm', 'server_error'), auth: sum('itsm', 'auth'), clientError: sum('itsm', 'client_error'), network: sum('itsm', 'network') };
    const errors = itsm.rateLimited + itsm.serverError + itsm.auth + itsm.clientError + itsm.network;
    const grant = grants.find((g) => g.connector_id === def.id);
    const reject = rejected.rows.find((r) => r.connector_id === def.id);
    const candidates: Array<{ at: Date | null; text: string; where: string }> = [];
    if (c?.last_error && c.consecutive_failures > 0) candidates.push({ at: c.last_started_at, text: c.last_error, where: 'poll' });
    if (reject) candidates.push({ at: reject.received_at, text: `HTTP ${reject.status}: ${reject.reason ?? ''}`, where: 'webhook' });
    if (grant) candidates.push({ at: grant.updated_at, text: grant.grant_error ?? '', where: 'OAuth' });
    candidates.sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0));
    return {
      id: def.id,
      name: def.name,
      kind: def.kind,
      enabled: def.enabled,
      mode: def.intake.mode,
      webhookUrl: webhookUrlOf(ctx.publicUrl, def),
      poll: c
        ? {
            lastSucceededAt: c.last_succeeded_at,
            lagSeconds: c.last_succeeded_at ? Math.round((now.getTime() - c.last_succeeded_at.getTime()) / 1000) : null,
            cursorBehindSeconds: Math.round((now.getTime() - c.cursor_at.getTime()) / 1000),
            failures: c.consecutive_failures,
            lastError: c.last_error,
          }
        : null,
      webhooks: {
        accepted: sum('webhook', 'accepted'),
        duplicate: sum('webhook', 'duplicate'),
        ignored: sum('webhook', 'ignored'),
        rejected: sum('webhook', 'rejected'),
        reasons: mine.filter((a) => a.kind === 'webhook' && a.outcome === 'rejected').map((a) => ({ reason: a.reason || '(no reason)', count: Number(a.n) })).sort((a, b) => b.count - a.count),
      },
      itsm: { ...itsm, total: itsm.ok + errors, errors },
      surveysToday: Number(sent.find((s) => s.connector_id === def.id)?.n ?? 0),
      lastError: candidates[0] ?? null,
      oauthGrantError: grant?.grant_error ?? null,
    };
  });
}

/** The latest deliveries of one connector, newest first. */
export async function recentDeliveries(ctx: ConsoleCtx, connectorId: string, limit = 10) {
  const rows = await activityDb(ctx.db).selectFrom('webhook_deliveries').selectAll().where('connector_id', '=', connectorId).orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: String(r.id), receivedAt: r.received_at.toISOString().slice(0, 19).replace('T', ' ') + ' UTC', status: r.status, outcome: r.outcome, reason: r.reason, summary: r.summary, test: r.test }));
}

/** "3 min" / "2 h 5 min" / "4 d": how long ago, for the health table. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.max(0, seconds);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.round(s / 86_400)} d`;
}
