import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jiraWebhookJql, jiraWebhookName, jiraWebhookUrl, registerAdminWebhook, type Registration } from '../../connectors/jira/admin-webhook.js';
import type { JiraDefinition } from '../../connectors/jira/definition.js';
import type { ConnectorDefinition } from '../../connectors/registry.js';
import { businessRuleName, closedCondition, renderBusinessRule, secretPropertyName, webhookUrlFor } from '../../connectors/servicenow/business-rule.js';
import type { ServiceNowDefinition } from '../../connectors/servicenow/definition.js';
import { renderUpdateSet, updateSetFileName } from '../../connectors/servicenow/update-set.js';
import { maskEmails } from '../../logger.js';
import { apiProblem } from '../admin-api.js';
import { consoleActor, pageContext, type ConsoleCtx } from '../context.js';
import { recentDeliveries } from '../health.js';
import { renderConsole } from '../render.js';
import { html } from '../scope.js';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

export interface TestClosure {
  ok: boolean;
  steps: Array<{ label: string; ok: boolean | null; detail: string }>;
}

const glide = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * Guided push set-up. ServiceNow: the generated Business Rule and its values, the update set to import,
 * and a test closure sent to our own webhook exactly as the Business Rule would send it. Jira: register
 * the admin webhook with an administrator's credentials (used once, never stored), or the exact values
 * to enter in Jira's settings. Both: a new webhook secret shown once, and the latest deliveries live.
 */
export function registerPushPages(scope: FastifyInstance, ctx: ConsoleCtx) {
  const mustGet = async (id: string) => {
    const def = /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? await ctx.connectors.get(id) : null;
    if (!def) throw Object.assign(new Error(`There is no connector "${id.slice(0, 63)}".`), { statusCode: 404 });
    return def;
  };

  const render = async (req: FastifyRequest, def: ConnectorDefinition, extra: { newSecret?: string; testClosure?: TestClosure; registration?: Registration | null; registerError?: string }, status = 200) => {
    const common = { c: { id: def.id, name: def.name, kind: def.kind }, secretSet: !!def.webhookSecret, pushOff: def.intake.mode === 'poll', deliveries: await recentDeliveries(ctx, def.id), ...extra };
    let kindView: object;
    if (def.kind === 'servicenow') {
      const sn = def as ServiceNowDefinition;
      kindView = { isServiceNow: true, script: renderBusinessRule(sn, ctx.publicUrl), webhookUrl: webhookUrlFor(sn, ctx.publicUrl), header: sn.servicenow.webhookHeader, property: secretPropertyName(sn), condition: closedCondition(sn), table: sn.servicenow.table, closedStates: sn.servicenow.closedStates.join(', '), ruleName: businessRuleName(sn), updateSetName: updateSetFileName(sn) };
    } else {
      const j = def as JiraDefinition;
      const dc = j.jira.variant === 'datacenter';
      kindView = { isJira: true, dc, webhookUrl: jiraWebhookUrl(j, ctx.publicUrl), webhookName: jiraWebhookName(j), jql: jiraWebhookJql(j), newSecretUrl: dc && extra.newSecret ? `${jiraWebhookUrl(j, ctx.publicUrl)}?secret=${encodeURIComponent(extra.newSecret)}` : null };
    }
    return { s: status, body: renderConsole('push', await pageContext(ctx, req, 'connectors', `Push set-up: ${def.name}`, { ...common, ...kindView })) };
  };

  scope.get('/admin/console/connectors/:id/push', async (req: IdReq, reply) => {
    const out = await render(req, await mustGet(req.params.id), {});
    return html(reply, out.s, out.body);
  });

  scope.get('/admin/console/connectors/:id/update-set.xml', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    if (def.kind !== 'servicenow') throw Object.assign(new Error('Update sets are for ServiceNow connectors.'), { statusCode: 404 });
    return reply
      .type('application/xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${updateSetFileName(def)}"`)
      .send(renderUpdateSet(def, ctx.publicUrl, ctx.now()));
  });

  // A new secret, shown on this one page and nowhere else again (the store keeps it encrypted).
  scope.post('/admin/console/connectors/:id/rotate-secret', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    const secret = randomBytes(24).toString('base64url');
    const r = await ctx.api.call(consoleActor(req).name, 'PATCH', `/admin/connectors/${encodeURIComponent(def.id)}`, { webhookSecret: secret });
    if (r.status !== 200) throw Object.assign(new Error(apiProblem(r).message), { statusCode: 400 });
    const out = await render(req, (await ctx.connectors.get(def.id))!, { newSecret: secret });
    return html(reply, out.s, out.body);
  });

  scope.post('/admin/console/connectors/:id/test-closure', async (req: IdReq, reply) => {
    const def = await mustGet(req.params.id);
    if (def.kind !== 'servicenow') throw Object.assign(new Error('The test closure is for ServiceNow connectors; on Jira, close an issue and watch the deliveries.'), { statusCode: 404 });
    const result = await sendTestClosure(ctx, def);
    await ctx.audit.record(consoleActor(req), { action: 'connector.test-closure', targetType: 'connector', targetId: def.id, detail: result.steps.map((s) => `${s.label}: ${s.detail}`).join('; ').slice(0, 1000) });
    const out = await render(req, def, { testClosure: result });
    return html(reply, out.s, out.body);
  });

  scope.post('/admin/console/connectors/:id/register-webhook', async (req: IdReq, reply) => {
    let def = await mustGet(req.params.id);
    if (def.kind !== 'jira') throw Object.assign(new Error('Webhook registration is for Jira connectors.'), { statusCode: 404 });
    const b = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof b.adminEmail === 'string' ? b.adminEmail.trim() : '';
    const token = typeof b.adminToken === 'string' ? b.adminToken.trim() : '';
    const dc = def.jira.variant === 'datacenter';
    if (!token || (!dc && !email)) {
      const out = await render(req, def, { registerError: dc ? 'Enter an administrator’s personal access token.' : 'Enter a Jira administrator’s email and API token.' }, 400);
      return html(reply, out.s, out.body);
    }
    if (!def.webhookSecret) {
      // Registration needs a secret to sign deliveries with: make one (stored encrypted, never shown).
      const r = await ctx.api.call(consoleActor(req).name, 'PATCH', `/admin/connectors/${encodeURIComponent(def.id)}`, { webhookSecret: randomBytes(24).toString('base64url') });
      if (r.status !== 200) throw Object.assign(new Error(apiProblem(r).message), { statusCode: 400 });
      def = (await ctx.connectors.get(def.id))!;
    }
    const registration = await registerAdminWebhook(def as JiraDefinition, ctx.publicUrl, { email: dc ? undefined : email, token }, { timeoutMs: 15_000, hostPolicy: ctx.hostPolicy });
    await ctx.audit.record(consoleActor(req), {
      action: 'connector.register-webhook',
      targetType: 'connector',
      targetId: def.id,
      after: registration.ok ? { webhook: registration.webhook } : null,
      detail: registration.ok ? `registered in Jira${email ? ` with the credentials of ${maskEmails(email)}` : ''}` : `Jira refused (${registration.status}): ${registration.message}`.slice(0, 1000),
    });
    const out = await render(req, def, { registration }, registration.ok ? 200 : 502);
    return html(reply, out.s, out.body);
  });
}

/**
 * What the Business Rule does, done from here: POST the same payload with the same header to the
 * connector's public webhook URL, then wait for the worker to re-read the record through the Table API.
 * The record id is random (it exists nowhere), so the re-read finds nothing and no survey can follow;
 * the check proves our URL, secret and worker path, not the Business Rule inside ServiceNow.
 */
export async function sendTestClosure(ctx: ConsoleCtx, def: ServiceNowDefinition): Promise<TestClosure> {
  const steps: TestClosure['steps'] = [];
  const done = () => ({ ok: steps.every((s) => s.ok !== false), steps });
  if (!def.webhookSecret) {
    steps.push({ label: 'Secret', ok: false, detail: 'the connector has no webhook secret: generate one first' });
    return done();
  }
  const now = ctx.now();
  const payload = { table: def.servicenow.table, sys_id: randomBytes(16).toString('hex'), number: 'TEST0000000', state: def.servicenow.closedStates[0] ?? '7', sys_updated_on: glide(now) };
  const url = webhookUrlFor(def, ctx.publicUrl);
  let status: number;
  let answer: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [def.servicenow.webhookHeader]: def.webhookSecret, 'x-feedback-console-test': '1' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    status = res.status;
    answer = (await res.text()).slice(0, 300);
  } catch (e) {
    steps.push({ label: 'Delivery', ok: false, detail: `could not reach ${url} from this server (${(e as Error).message}). ServiceNow calls this address: PUBLIC_URL must be reachable.` });
    return done();
  }
  if (status !== 202) {
    let message = answer;
    try {
      message = (JSON.parse(answer) as { message?: string }).message ?? answer;
    } catch {
      /* not our JSON: a proxy in between */
    }
    steps.push({ label: 'Delivery', ok: false, detail: `${url} answered HTTP ${status}: ${message}` });
    return done();
  }
  steps.push({ label: 'Delivery', ok: true, detail: `POST ${url} with ${def.servicenow.webhookHeader}: answered 202 (stored as a push notification)` });
  const dedupe = `${payload.sys_id}@${payload.sys_updated_on}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ev = await ctx.db.selectFrom('inbound_events').select(['id', 'processed_at', 'result']).where('connector_id', '=', def.id).where('dedupe_key', '=', dedupe).executeTakeFirst();
    if (ev?.processed_at) {
      steps.push({ label: 'Re-read by a worker', ok: true, detail: `push notification #${ev.id} was re-read through the Table API: ${ev.result ?? 'done'} (expected: the test record does not exist, so no survey follows)` });
      return done();
    }
    if (Date.now() > deadline) {
      steps.push({ label: 'Re-read by a worker', ok: null, detail: ev ? `push notification #${ev.id} is stored but no worker has re-read it within 15 s: are workers running (ROLES=worker)?` : 'the notification was not found in the database' });
      return done();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
