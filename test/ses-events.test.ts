import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { buildStringToSign, SnsVerifier, type SnsMessage } from '../src/mail/sns/index.js';
import { buildHttp } from '../src/http/build-http.js';
import { startHarness, type Harness } from './support/harness.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-events';

describe('SES events through SNS', () => {
  let h: Harness;
  let app: FastifyInstance;
  let certServer: Server;
  let key: string;
  let certUrl: string;
  beforeAll(async () => {
    // A throwaway signing certificate, served from an allow-listed test host.
    const dir = mkdtempSync(join(tmpdir(), 'sns-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=sns.test'], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'k.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'c.pem'));
    certServer = createServer((_req, res) => res.end(cert));
    await new Promise<void>((r) => certServer.listen(0, '127.0.0.1', r));
    certUrl = `http://127.0.0.1:${(certServer.address() as AddressInfo).port}/SimpleNotificationService-test.pem`;
    h = await startHarness({ ROLES: 'api' });
    const verifier = new SnsVerifier({ topicArns: [TOPIC], certHostPattern: /^127\.0\.0\.1$/, allowHttpCertUrls: true });
    app = buildHttp(h.te.config, createLogger('silent'), h.service.ctx, h.te.redis, { snsVerifier: verifier });
    await h.te.db.insertInto('suppressions').values({ email: 'x@x.io', reason: 'manual' }).execute(); // unrelated row
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
    await new Promise((r) => certServer.close(r));
  });

  function notification(message: unknown, over: Partial<SnsMessage> = {}): SnsMessage {
    const m = { Type: 'Notification', MessageId: randomUUID(), TopicArn: TOPIC, Message: JSON.stringify(message), Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: certUrl, Signature: '', ...over } as SnsMessage;
    m.Signature = createSign('RSA-SHA256').update(buildStringToSign(m)).sign(key, 'base64');
    return m;
  }
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/ses/events', headers: { 'content-type': 'text/plain; charset=UTF-8' }, payload: JSON.stringify(body) });
  const bounce = (email: string, bounceType = 'Permanent') => ({ notificationType: 'Bounce', bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: email }] }, mail: { messageId: 'ses-1' } });
  const suppressionOf = (email: string) => h.te.db.selectFrom('suppressions').selectAll().where('email', '=', email).executeTakeFirst();

  it('a signed permanent bounce suppresses the address; a complaint too; a transient bounce does not', async () => {
    const r = await post(notification(bounce('Gone@Example.com')));
    expect(r.statusCode).toBe(200);
    expect(await suppressionOf('gone@example.com')).toMatchObject({ reason: 'bounced' });
    await post(notification({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }], complaintFeedbackType: 'abuse' }, mail: { messageId: 'ses-2', tags: { survey_id: ['999'] } } }));
    expect(await suppressionOf('angry@example.com')).toMatchObject({ reason: 'complained' });
    await post(notification(bounce('full@example.com', 'Transient')));
    expect(await suppressionOf('full@example.com')).toBeUndefined();
    expect(await h.te.db.selectFrom('mail_events').select(['kind', 'recipient']).orderBy('id').execute()).toEqual([
      { kind: 'bounce', recipient: 'gone@example.com' },
      { kind: 'complaint', recipient: 'angry@example.com' },
      { kind: 'bounce', recipient: 'full@example.com' },
    ]);
  });

  it('a redelivered notification (same MessageId) is applied once', async () => {
    const n = notification(bounce('twice@example.com'));
    expect((await post(n)).statusCode).toBe(200);
    expect((await post(n)).json()).toEqual({ duplicate: true });
    expect(await h.te.db.selectFrom('mail_events').selectAll().where('recipient', '=', 'twice@example.com').execute()).toHaveLength(1);
  });

  it('a bad signature or an unknown topic gets 403 and stores nothing', async () => {
    const before = await h.te.db.selectFrom('sns_messages').selectAll().execute();
    const tampered = { ...notification(bounce('victim@example.com')), Message: JSON.stringify(bounce('other@example.com')) };
    const bad = await post(tampered);
    expect(bad.statusCode).toBe(403);
    expect(bad.json().message).toMatch(/signature/i);
    expect((await post(notification(bounce('victim@example.com'), { TopicArn: 'arn:aws:sns:eu-west-1:1:evil' }))).statusCode).toBe(403);
    expect((await post({ hello: 'world' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/ses/events', headers: { 'content-type': 'text/plain' }, payload: '{not json' })).statusCode).toBe(400);
    expect(await suppressionOf('victim@example.com')).toBeUndefined();
    expect(await suppressionOf('other@example.com')).toBeUndefined();
    expect(await h.te.db.selectFrom('sns_messages').selectAll().execute()).toEqual(before);
  });
});
