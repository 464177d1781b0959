import { sql } from 'kysely';
import type { ConnectorRuntime } from '../connectors/runtime.js';
import type { Db } from '../db/client.js';
import { HttpError } from '../http/app.js';
import { marker } from '../lib/markers.js';
import { RetryLaterError } from '../lib/retry.js';
import { messagesFor } from '../render/locales.js';
import { renderTemplate } from '../render/templates.js';
import { CustomerValues, trimDoc, type ItsmDoc } from '../render/itsm-doc.js';
import { claimable, underClaim, type LeasedWork } from '../store/claim-lease.js';
import type { ConnectorStore } from '../store/connectors.js';
import type { InitiativeDetail } from './store.js';

/**
 * Mirrors an initiative as an ITSM record through its connector, created once: the mirror row is
 * claimed in Postgres (a lease, as write-backs and follow-up tasks are) before the call, and a later
 * attempt after an interrupted one looks for the record carrying our marker before it creates one.
 * Our id and link travel in the record; its key and URL are kept on ours. Runs in the admin request.
 */
export const MIRROR_CLAIMS: LeasedWork = { table: 'initiative_mirrors', renewedAt: 'claimed_at' };

export interface MirrorDeps {
  db: Db;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  secret: Buffer;
  publicUrl: string;
  claimLeaseMs: number;
}

const STATUS_TEXT = { proposed: 'proposed', in_progress: 'in progress', done: 'done' } as const;

/**
 * The record's title (plain text) and description: our template with the initiative's free text (title,
 * owner, team, themes, notes — typed by admins, themes drawn from customers' comments) kept as data, so
 * each connector writes it for its target without it ever becoming markup.
 */
export function improvementRecordText(i: InitiativeDetail, opts: { url: string; marker: string }): { title: string; description: ItsmDoc } {
  const c = new CustomerValues();
  const rendered = renderTemplate(
    'itsm/improvement-record.text',
    {
      id: i.id,
      owner: c.put(i.owner),
      scope: i.team ? c.put(`team ${i.team.label} (${i.team.key})`) : 'all teams (systemic)',
      status: STATUS_TEXT[i.status],
      startDate: i.startDate ?? '',
      endDate: i.endDate ?? '',
      themes: c.put(i.themes.join(', ')),
      categories: c.put(i.categories.join(', ')),
      notes: c.put(i.notes),
      publicSummary: c.put(i.publicSummary),
      url: opts.url,
      marker: opts.marker,
    },
    { messages: messagesFor('en'), locale: 'en' },
  );
  return { title: `Improvement: ${i.title.replace(/[\r\n]+/g, ' ')}`, description: trimDoc(c.toDoc(rendered)) };
}

export async function mirrorInitiative(deps: MirrorDeps, i: InitiativeDetail, connectorId: string): Promise<{ created: boolean; initiative: InitiativeDetail['mirror'] }> {
  const def = await deps.connectors.get(connectorId);
  if (!def) throw new HttpError(400, `connectorId: no connector "${connectorId}"`);
  if (!def.enabled) throw new HttpError(409, `connector ${connectorId} is disabled`);
  if (i.mirror && i.mirror.connectorId !== connectorId) throw new HttpError(409, `initiative ${i.id} is already mirrored through connector ${i.mirror.connectorId}${i.mirror.key ? ` as ${i.mirror.key}` : ''}`);
  if (i.mirror?.status === 'done') return { created: false, initiative: i.mirror };

  const m = marker(deps.secret, 'I', i.id);
  await sql`INSERT INTO initiative_mirrors (initiative_id, connector_id, marker) VALUES (${i.id}, ${connectorId}, ${m}) ON CONFLICT (initiative_id) DO NOTHING`.execute(deps.db);
  const { rows } = await sql<{ id: string; attempts: number }>`
    UPDATE initiative_mirrors SET status = 'claimed', attempts = attempts + 1, claimed_at = now()
    WHERE initiative_id = ${i.id} AND connector_id = ${connectorId} AND ${claimable(MIRROR_CLAIMS, deps.claimLeaseMs)}
    RETURNING id::text, attempts`.execute(deps.db);
  const claim = rows[0];
  if (!claim) {
    const now = await sql<{ status: string }>`SELECT status FROM initiative_mirrors WHERE initiative_id = ${i.id}`.execute(deps.db);
    if (now.rows[0]?.status === 'done') return { created: false, initiative: (await readMirror(deps.db, i.id))! };
    throw new HttpError(409, `the ITSM record of initiative ${i.id} is being created by another request; try again in a moment`);
  }

  const connector = deps.runtime.for(def);
  const text = improvementRecordText(i, { url: `${deps.publicUrl}/admin/initiatives/${i.id}`, marker: m });
  const groupId = i.team && i.team.key.startsWith(`${connectorId}:`) ? i.team.key.slice(connectorId.length + 1) || null : null;
  try {
    const ref = await underClaim(deps.db, MIRROR_CLAIMS, claim.id, claim.attempts, deps.claimLeaseMs, () =>
      connector.mirrorImprovement({ marker: m, title: text.title, description: text.description, assignmentGroupId: def.kind === 'servicenow' ? groupId : null, findFirst: claim.attempts > 1 }),
    );
    await sql`
      UPDATE initiative_mirrors SET status = 'done', external_id = ${ref.externalId}, external_key = ${ref.key}, url = ${ref.url}, last_error = NULL, done_at = now()
      WHERE id = ${claim.id} AND attempts = ${claim.attempts}`.execute(deps.db);
  } catch (e) {
    const message = (e as Error).message;
    await sql`UPDATE initiative_mirrors SET last_error = ${message.slice(0, 1000)} WHERE id = ${claim.id}`.execute(deps.db);
    if (e instanceof RetryLaterError) throw new HttpError(503, `the ITSM asked us to wait (${message}); try again later`);
    throw new HttpError(502, `creating the ITSM record failed: ${message}`);
  }
  return { created: true, initiative: (await readMirror(deps.db, i.id))! };
}

async function readMirror(db: Db, initiativeId: string): Promise<InitiativeDetail['mirror']> {
  const { rows } = await sql<{ connector_id: string; status: 'pending' | 'claimed' | 'done'; external_key: string | null; url: string | null; external_id: string | null; last_error: string | null }>`
    SELECT connector_id, status, external_key, url, external_id, last_error FROM initiative_mirrors WHERE initiative_id = ${initiativeId}`.execute(db);
  const m = rows[0];
  return m ? { connectorId: m.connector_id, status: m.status, key: m.external_key, url: m.url, externalId: m.external_id, lastError: m.last_error } : null;
}
