import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService, type RunningService } from '../src/service.js';
import { sendSurvey } from '../src/pipeline/stages/send.js';
import { waitFor } from './support/env.js';
import { startHarness, snowConnector, WEBHOOK_SECRET, type Harness } from './support/harness.js';
import { spawnMain } from './support/process.js';
import { sesEnv, startSes } from './support/ses.js';

type Ses = Awaited<ReturnType<typeof startSes>>;

async function closeFor(h: Harness, email: string) {
  const caller = h.sim.createUser({ user_name: email, name: 'Sam', email });
  const inc = h.sim.createIncident({ caller_id: caller.sys_id!, short_description: 'Mouse' });
  h.sim.closeIncident(inc.sys_id!);
  await h.api('POST', '/webhooks/servicenow/snow', { sys_id: inc.sys_id }, { token: null, headers: { 'x-feedback-secret': WEBHOOK_SECRET } });
  return waitFor(`the survey for ${email}`, async () =>
    h.te.db.selectFrom('surveys as s').innerJoin('people as p', 'p.id', 's.person_id').select(['s.id', 's.status']).where('p.email', '=', email).executeTakeFirst(),
  );
}
const surveyStatus = (h: Harness, id: string) => h.te.db.selectFrom('surveys').select(['status', 'failed_reason', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();

describe('SES failures', () => {
  let h: Harness;
  let ses: Ses;
  beforeAll(async () => {
    ses = await startSes();
    h = await startHarness({ ...sesEnv(ses.url), SEND_CLAIM_TIMEOUT_SECONDS: '2', RECONCILE_INTERVAL_SECONDS: '1', SCHEDULER_SYNC_SECONDS: '1' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
  });
  afterAll(async () => {
    await h?.close();
    await ses?.close();
  });

  it('retries throttling and sends exactly once', async () => {
    ses.fail('throttle', 'throttle', 'server-error');
    const before = ses.sendRequests();
    const s = await closeFor(h, 'throttled@example.com');
    await waitFor('sent', async () => (await surveyStatus(h, s.id)).status === 'sent');
    expect(ses.sendRequests() - before).toBe(4);
    expect((await ses.mails()).filter((m) => m.destination.to.includes('throttled@example.com'))).toHaveLength(1);
  });

  it('marks a MessageRejected survey failed with its reason and does not retry', async () => {
    ses.fail('reject');
    const before = ses.sendRequests();
    const s = await closeFor(h, 'rejected@example.com');
    await waitFor('failed', async () => (await surveyStatus(h, s.id)).status === 'failed');
    expect((await surveyStatus(h, s.id)).failed_reason).toMatch(/MessageRejected: Email address is not verified/);
    expect(ses.sendRequests() - before).toBe(1);
    expect((await h.api('GET', '/admin/surveys?status=failed')).body.surveys).toHaveLength(1);
  });
});

describe('a crash between claim and send', () => {
  let h: Harness;
  let ses: Ses;
  let second: RunningService | null = null;
  beforeAll(async () => {
    ses = await startSes();
    // The harness runs api + scheduler only: the send is made by a separate worker process we kill.
    h = await startHarness({ ...sesEnv(ses.url), ROLES: 'api,scheduler', SEND_CLAIM_TIMEOUT_SECONDS: '2', RECONCILE_INTERVAL_SECONDS: '1', SCHEDULER_SYNC_SECONDS: '1' });
    await h.api('POST', '/admin/connectors', snowConnector(h.sim));
  });
  afterAll(async () => {
    await second?.stop();
    await h?.close();
    await ses?.close();
  });

  it('never produces two emails: the lost outcome is reported as unknown, not re-sent', async () => {
    ses.fail('hang'); // SES receives the request and the worker dies before it learns the outcome
    const worker = spawnMain(['work'], h.te.env);
    const s = await closeFor(h, 'crash@example.com');
    await waitFor('SES reached', async () => ses.sendRequests() === 1);
    expect((await surveyStatus(h, s.id)).status).toBe('sending');
    worker.child.kill('SIGKILL');
    await worker.exited;

    // A healthy worker takes over; the reconciler reports the claim as unknown.
    second = await startService(loadConfig({ ...h.te.env, ROLES: 'worker,scheduler' }), createLogger('silent'));
    await waitFor('unknown', async () => (await surveyStatus(h, s.id)).status === 'unknown', 30_000);
    // Whatever re-runs the job later finds nothing to do.
    expect(await sendSurvey(second.ctx, s.id)).toBe('nothing to do: survey is unknown');
    expect(ses.sendRequests()).toBe(1);
    expect((await h.api('GET', '/admin/surveys?status=unknown')).body.surveys[0].failedReason).toMatch(/not re-sent/);
  });
});
