import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSesEvent } from './ses-event.js';
import { buildStringToSign, DEFAULT_SNS_CERT_HOST, SnsVerifier, type SnsMessage, type SnsVerifierOptions } from './verify.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
const SECRET_MARKER = 'top-secret-recipient@example.com';

let dir: string;
let privateKey: string;
let certPem: string;
let expiredOk = false;
let server: Server;
let base: string;
let deadBase: string;
const hits = new Map<string, number>();

function hitCount(path: string): number {
  return hits.get(path) ?? 0;
}
function totalHits(): number {
  let n = 0;
  for (const v of hits.values()) n += v;
  return n;
}

/** Minimal `openssl ca` setup to issue self-signed certificates with explicit validity dates. */
function selfSignedWithDates(name: string, start: string, end: string): void {
  const caDir = join(dir, `ca-${name}`);
  execFileSync('mkdir', ['-p', caDir]);
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '01\n');
  writeFileSync(
    join(caDir, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = d',
      '[ d ]',
      `database = ${join(caDir, 'index.txt')}`,
      `new_certs_dir = ${caDir}`,
      `serial = ${join(caDir, 'serial')}`,
      'default_md = sha256',
      'policy = p',
      'unique_subject = no',
      '[ p ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const csr = join(caDir, 'r.csr');
  execFileSync('openssl', ['req', '-new', '-key', join(dir, 'k.pem'), '-subj', '/CN=sns.test', '-out', csr], {
    stdio: 'pipe',
  });
  execFileSync(
    'openssl',
    [
      'ca', '-batch', '-config', join(caDir, 'ca.cnf'), '-selfsign', '-keyfile', join(dir, 'k.pem'), '-in', csr,
      '-out', join(dir, `${name}.pem`), '-startdate', start, '-enddate', end, '-notext',
    ],
    { stdio: 'pipe' },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sns-verify-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-days', '2', '-subj', '/CN=sns.test'],
    { stdio: 'pipe' },
  );
  privateKey = readFileSync(join(dir, 'k.pem'), 'utf8');
  certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
  // `openssl req -x509` refuses -days 0 / negative days; `openssl ca` takes explicit dates.
  try {
    selfSignedWithDates('expired', '20200101000000Z', '20200102000000Z');
    selfSignedWithDates('future', '20990101000000Z', '20990102000000Z');
    expiredOk = true;
  } catch {
    expiredOk = false;
  }

  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, hitCount(path) + 1);
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/x-pem-file', ...headers });
      res.end(body);
    };
    if (path === '/c.pem' || /^\/c-[a-z0-9-]+\.pem$/.test(path)) return send(200, certPem);
    if (path === '/slow-c.pem') return void setTimeout(() => send(200, certPem), 100);
    if (path === '/expired.pem') return send(200, readFileSync(join(dir, 'expired.pem')));
    if (path === '/future.pem') return send(200, readFileSync(join(dir, 'future.pem')));
    if (path === '/garbage.pem') return send(200, 'hello, not a certificate');
    if (path === '/broken.pem') return send(200, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    if (path === '/big.pem') return send(200, Buffer.alloc(70 * 1024, 0x41));
    if (path === '/big-chunked.pem') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      for (let i = 0; i < 70; i++) res.write(Buffer.alloc(1024, 0x41));
      return void res.end();
    }
    if (path === '/redirect.pem') return send(302, '', { location: `${base}/c.pem` });
    return send(404, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A port that was just free: nothing listens there.
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  deadBase = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => hits.clear());

/**
 * Test-side canonical form, written from the AWS text rather than shared with the code under test:
 * the relevant names present in the message, in byte order, each as `name\nvalue\n`.
 */
function canonical(m: Record<string, unknown>): string {
  const names =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return names
    .filter((n) => typeof m[n] === 'string')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((n) => `${n}\n${String(m[n])}\n`)
    .join('');
}

function signed(
  fields: Record<string, unknown>,
  version: '1' | '2' = '2',
  key: string = privateKey,
): Record<string, unknown> {
  const m: Record<string, unknown> = { SignatureVersion: version, ...fields };
  const sig = cryptoSign(version === '1' ? 'sha1' : 'sha256', Buffer.from(canonical(m), 'utf8'), key);
  return { ...m, Signature: sig.toString('base64') };
}

const sesBounce = JSON.stringify(
  {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: SECRET_MARKER, action: 'failed', status: '5.1.1' }],
      timestamp: '2016-01-27T14:59:38.237Z',
      feedbackId: '00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000',
    },
    mail: { messageId: '00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000', destination: [SECRET_MARKER] },
  },
  null,
  2, // real SNS Message strings contain newlines; they must survive the round trip
);

function notification(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TOPIC,
    Message: sesBounce,
    Timestamp: '2012-05-02T00:54:06.655Z',
    SigningCertURL: `${base}/c.pem`,
    UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:c9135db0`,
    ...extra,
  };
}

function confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'): Record<string, unknown> {
  const token = '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736';
  return {
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token: token,
    TopicArn: TOPIC,
    Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${token}`,
    Timestamp: '2012-04-26T20:45:04.751Z',
    SigningCertURL: `${base}/c.pem`,
  };
}

function verifier(extra: Partial<SnsVerifierOptions> = {}): SnsVerifier {
  return new SnsVerifier({ topicArns: [TOPIC], certHostPattern: /^127\.0\.0\.1$/, allowHttpCertUrls: true, ...extra });
}

async function expectRejected(body: unknown, reason: RegExp, v: SnsVerifier = verifier()): Promise<string> {
  const r = await v.verify(body);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.reason).toMatch(reason);
  expect(r.reason).not.toContain(SECRET_MARKER);
  return r.reason;
}

describe('buildStringToSign', () => {
  it('matches the AWS documentation example for a Notification', () => {
    const m = {
      Type: 'Notification',
      MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
      Subject: 'My subject',
      Message: 'My Test Message',
      Timestamp: '2012-06-05T04:37:04.321Z',
    } as SnsMessage;
    expect(buildStringToSign(m)).toBe(
      'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\n' +
        'Timestamp\n2012-06-05T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n' +
        'Type\nNotification\n',
    );
  });

  it('leaves Subject out when absent and uses SubscribeURL/Token for confirmations', () => {
    const n = { Type: 'Notification', MessageId: 'i', TopicArn: 't', Message: 'm', Timestamp: 'ts' } as SnsMessage;
    expect(buildStringToSign(n)).toBe('Message\nm\nMessageId\ni\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
    const c = { ...n, Type: 'UnsubscribeConfirmation', SubscribeURL: 'u', Token: 'k', Subject: 'ignored' } as SnsMessage;
    expect(buildStringToSign(c)).toBe(
      'Message\nm\nMessageId\ni\nSubscribeURL\nu\nTimestamp\nts\nToken\nk\nTopicArn\nt\nType\nUnsubscribeConfirmation\n',
    );
  });
});

describe('SnsVerifier: valid messages', () => {
  it.each([
    ['1', true],
    ['1', false],
    ['2', true],
    ['2', false],
  ] as const)('accepts a Notification (SignatureVersion %s, with Subject: %s)', async (version, withSubject) => {
    const fields = notification(withSubject ? { Subject: 'Amazon SES Email Event Notification' } : {});
    const r = await verifier().verify(signed(fields, version));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.message.Type).toBe('Notification');
    expect(r.message.Message).toBe(sesBounce);
    expect(r.message.SignatureVersion).toBe(version);
    expect('Subject' in r.message).toBe(withSubject);
    expect(parseSesEvent(r.message.Message)).toMatchObject({ kind: 'bounce', permanent: true, recipients: [SECRET_MARKER] });
  });

  it('accepts a SubscriptionConfirmation (v2) and an UnsubscribeConfirmation (v1)', async () => {
    const sub = await verifier().verify(signed(confirmation('SubscriptionConfirmation'), '2'));
    expect(sub).toMatchObject({ ok: true, message: { Type: 'SubscriptionConfirmation' } });
    if (sub.ok) expect(sub.message.SubscribeURL).toContain('Action=ConfirmSubscription');
    const unsub = await verifier().verify(signed(confirmation('UnsubscribeConfirmation'), '1'));
    expect(unsub).toMatchObject({ ok: true, message: { Type: 'UnsubscribeConfirmation' } });
  });

  it('accepts a Subject of null as absent, and unknown extra keys', async () => {
    const body = { ...signed(notification(), '2'), Subject: null, SomethingNew: { x: 1 } };
    const r = await verifier().verify(body);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message).not.toHaveProperty('SomethingNew');
  });

  it('takes the production path with the default host pattern and an injected fetcher', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';
    const fetchCert = vi.fn(async () => certPem);
    const v = new SnsVerifier({ topicArns: [TOPIC], certHostPattern: DEFAULT_SNS_CERT_HOST, fetchCert });
    const r = await v.verify(signed(notification({ SigningCertURL: url })));
    expect(r.ok).toBe(true);
    expect(fetchCert).toHaveBeenCalledExactlyOnceWith(url);
    const cn = await v.verify(
      signed(notification({ SigningCertURL: 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem' })),
    );
    expect(cn.ok).toBe(true);
  });
});

describe('SnsVerifier: tampering', () => {
  it('rejects a tampered Message', async () => {
    const body = signed(notification(), '2');
    await expectRejected({ ...body, Message: body.Message + ' ' }, /signature mismatch/);
    const v1 = signed(notification(), '1');
    await expectRejected({ ...v1, Message: (v1.Message as string).replace('Permanent', 'Transient') }, /signature mismatch/);
  });

  it('rejects an added, removed or changed Subject, Timestamp, MessageId or Type', async () => {
    const withSubject = signed(notification({ Subject: 'a' }), '2');
    const without = signed(notification(), '2');
    await expectRejected({ ...without, Subject: 'a' }, /signature mismatch/);
    const { Subject: _dropped, ...noSubject } = withSubject;
    await expectRejected(noSubject, /signature mismatch/);
    await expectRejected({ ...withSubject, Subject: 'b' }, /signature mismatch/);
    await expectRejected({ ...without, Timestamp: '2030-01-01T00:00:00.000Z' }, /signature mismatch/);
    await expectRejected({ ...without, MessageId: 'other' }, /signature mismatch/);
    const conf = signed(confirmation('SubscriptionConfirmation'), '2');
    await expectRejected({ ...conf, Type: 'UnsubscribeConfirmation' }, /signature mismatch/);
    await expectRejected({ ...conf, SubscribeURL: 'https://evil.example/confirm' }, /signature mismatch/);
  });

  it('rejects a signature by another key, a downgraded version and a garbage signature', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await expectRejected(signed(notification(), '2', other.toString()), /signature mismatch/);
    const v2 = signed(notification(), '2');
    await expectRejected({ ...v2, SignatureVersion: '1' }, /signature mismatch/);
    await expectRejected({ ...v2, Signature: 'AAAA' }, /signature mismatch/);
    await expectRejected({ ...v2, Signature: 'not base64!' }, /Base64/);
  });
});

describe('SnsVerifier: rejected before any network call', () => {
  it('rejects a topic that is not allow-listed, and everything with an empty allow-list', async () => {
    await expectRejected(signed(notification({ TopicArn: `${TOPIC}-other` })), /TopicArn not allowed/);
    await expectRejected(signed(notification()), /TopicArn not allowed/, verifier({ topicArns: [] }));
    expect(totalHits()).toBe(0);
  });

  it.each([
    ['another host', () => `${base.replace('127.0.0.1', 'localhost')}/c.pem`, /not an SNS host/],
    ['a non-.pem path', () => `${base}/c.pem.txt`, /\.pem/],
    ['a .pem only in the query', () => `${base}/cert?x=.pem`, /\.pem/],
    ['an unparseable URL', () => 'not a url', /not a valid URL/],
    ['credentials in the URL', () => base.replace('http://', 'http://user:pw@') + '/c.pem', /credentials/],
    ['a file: URL', () => 'file:///etc/c.pem', /https/],
  ])('rejects a certificate URL with %s', async (_label, url, reason) => {
    await expectRejected(signed(notification({ SigningCertURL: url() })), reason);
    expect(totalHits()).toBe(0);
  });

  it('rejects http without allowHttpCertUrls', async () => {
    await expectRejected(signed(notification()), /https/, verifier({ allowHttpCertUrls: false }));
    expect(totalHits()).toBe(0);
  });

  it('applies the default host pattern strictly (no look-alikes, no ports)', async () => {
    const fetchCert = vi.fn(async () => certPem);
    const v = new SnsVerifier({ topicArns: [TOPIC], certHostPattern: DEFAULT_SNS_CERT_HOST, fetchCert });
    for (const url of [
      'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem',
      'https://evilsns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
    ]) {
      await expectRejected(signed(notification({ SigningCertURL: url })), /SigningCertURL/, v);
    }
    expect(fetchCert).not.toHaveBeenCalled();
  });

  it('is not confused by a /g host pattern', async () => {
    const v = verifier({ certHostPattern: /^127\.0\.0\.1$/g });
    for (let i = 0; i < 3; i++) expect((await v.verify(signed(notification()))).ok).toBe(true);
  });

  it('rejects an unsupported SignatureVersion', async () => {
    await expectRejected({ ...signed(notification(), '2'), SignatureVersion: '3' }, /SignatureVersion/);
    expect(totalHits()).toBe(0);
  });

  it('rejects malformed bodies without echoing their content', async () => {
    const good = signed(notification(), '2');
    for (const body of [
      null,
      undefined,
      'a string',
      [good],
      { ...good, Type: 'Other' },
      { ...good, MessageId: 42 },
      { ...good, Message: { nested: SECRET_MARKER } },
      (() => {
        const { Signature: _s, ...rest } = good;
        return rest;
      })(),
    ]) {
      await expectRejected(body, /malformed SNS message/);
    }
    const { Token: _t, ...noToken } = signed(confirmation('SubscriptionConfirmation'));
    await expectRejected(noToken, /without SubscribeURL or Token/);
    expect(totalHits()).toBe(0);
  });
});

describe('SnsVerifier: certificate fetching', () => {
  afterEach(() => vi.useRealTimers());

  it('fetches the certificate once for several messages', async () => {
    const v = verifier();
    for (let i = 0; i < 4; i++) {
      const r = await v.verify(signed(notification({ MessageId: `m-${i}` }), i % 2 ? '1' : '2'));
      expect(r.ok).toBe(true);
    }
    expect(hitCount('/c.pem')).toBe(1);
  });

  it('shares one request between concurrent verifications of the same URL', async () => {
    const v = verifier();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => v.verify(signed(notification({ MessageId: `c-${i}`, SigningCertURL: `${base}/slow-c.pem` })))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(hitCount('/slow-c.pem')).toBe(1);
  });

  it('keeps at most 20 certificates (least recently used goes first)', async () => {
    const v = verifier();
    const at = (i: number) => signed(notification({ SigningCertURL: `${base}/c-${i}.pem` }));
    for (let i = 0; i < 20; i++) expect((await v.verify(at(i))).ok).toBe(true);
    expect(totalHits()).toBe(20);
    expect((await v.verify(at(0))).ok).toBe(true); // cache hit; c-0 becomes most recently used
    expect((await v.verify(at(20))).ok).toBe(true); // 21st URL evicts c-1, the least recently used
    expect(totalHits()).toBe(21);
    expect((await v.verify(at(0))).ok).toBe(true);
    expect(hitCount('/c-0.pem')).toBe(1);
    expect((await v.verify(at(1))).ok).toBe(true);
    expect(hitCount('/c-1.pem')).toBe(2);
  });

  it('fetches again after the one-hour TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const v = verifier();
    expect((await v.verify(signed(notification()))).ok).toBe(true);
    vi.setSystemTime(Date.now() + 59 * 60 * 1000);
    expect((await v.verify(signed(notification()))).ok).toBe(true);
    expect(hitCount('/c.pem')).toBe(1);
    vi.setSystemTime(Date.now() + 2 * 60 * 1000);
    expect((await v.verify(signed(notification()))).ok).toBe(true);
    expect(hitCount('/c.pem')).toBe(2);
  });

  it('fails (without throwing) when the certificate URL is unreachable, and retries next time', async () => {
    const v = verifier();
    const url = `${deadBase}/c.pem`;
    const reason = await expectRejected(signed(notification({ SigningCertURL: url })), /certificate fetch failed/, v);
    expect(reason).toMatch(/ECONNREFUSED/);
    const fetchCert = vi.fn(async () => certPem);
    const v2 = verifier({ fetchCert: vi.fn().mockRejectedValueOnce(new Error('boom')).mockImplementation(fetchCert) });
    await expectRejected(signed(notification()), /certificate fetch failed: boom/, v2);
    expect((await v2.verify(signed(notification()))).ok).toBe(true);
  });

  it('fails on a fetcher that throws synchronously or returns junk', async () => {
    const throwing = verifier({
      fetchCert: () => {
        throw new Error('sync');
      },
    });
    await expectRejected(signed(notification()), /certificate fetch failed: sync/, throwing);
    await expectRejected(signed(notification()), /no PEM/, verifier({ fetchCert: async () => 42 as unknown as string }));
  });

  it.each([
    ['a 404', '/missing.pem', /certificate fetch failed: HTTP 404/],
    ['a redirect', '/redirect.pem', /certificate fetch failed/],
    ['a body over 64 KB (content-length)', '/big.pem', /certificate fetch failed: .*larger/],
    ['a body over 64 KB (chunked)', '/big-chunked.pem', /certificate fetch failed: .*larger/],
    ['something that is not PEM', '/garbage.pem', /no PEM/],
    ['a broken PEM', '/broken.pem', /could not be parsed/],
  ])('fails on %s', async (_label, path, reason) => {
    await expectRejected(signed(notification({ SigningCertURL: `${base}${path}` })), reason);
    expect(hitCount('/c.pem')).toBe(0); // the redirect is not followed
  });

  it('rejects an expired certificate', async (ctx) => {
    if (!expiredOk) ctx.skip(); // `openssl ca` unavailable: cannot mint a back-dated certificate
    await expectRejected(signed(notification({ SigningCertURL: `${base}/expired.pem` })), /certificate expired/);
    expect(hitCount('/expired.pem')).toBe(1);
  });

  it('rejects a certificate that is not yet valid', async (ctx) => {
    if (!expiredOk) ctx.skip();
    await expectRejected(signed(notification({ SigningCertURL: `${base}/future.pem` })), /not yet valid/);
  });

  it('rejects a cached certificate once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const v = verifier();
    expect((await v.verify(signed(notification()))).ok).toBe(true);
    vi.setSystemTime(Date.now() + 3 * 24 * 60 * 60 * 1000); // the test certificate lives 2 days
    await expectRejected(signed(notification()), /certificate expired/, v);
  });
});
