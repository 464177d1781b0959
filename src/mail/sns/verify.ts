/**
 * Verifies Amazon SNS HTTP/HTTPS messages (Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation) as AWS documents it:
 *
 * - the string to sign is a list of `name\nvalue\n` pairs in byte-sort order of the names:
 *   Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type;
 *   SubscriptionConfirmation / UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 *   Timestamp, Token, TopicArn, Type;
 * - SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA, over that string, Base64 in `Signature`;
 * - the public key comes from the X.509 certificate at `SigningCertURL`, which must be fetched over
 *   HTTPS from an SNS host.
 *
 * Everything cheap (shape, topic allow-list, certificate URL, signature version) is checked before
 * any network call. `verify` never throws and its reasons never contain the message body.
 */
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import { z } from 'zod';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
}

export interface SnsVerifierOptions {
  /** Allow-list of topic ARNs (exact match); empty = reject everything. */
  topicArns: string[];
  /** Host (URL hostname, no port) the signing certificate must come from. Production: DEFAULT_SNS_CERT_HOST. */
  certHostPattern: RegExp;
  /** Tests only (a local http server): also accept http:// certificate URLs and explicit ports. */
  allowHttpCertUrls?: boolean;
  /** Returns the PEM at `url`. Default: GET with a 5 s timeout, a 64 KB cap, no redirects. */
  fetchCert?: (url: string) => Promise<string>;
}

export type SnsVerifyResult = { ok: true; message: SnsMessage } | { ok: false; reason: string };

export const DEFAULT_SNS_CERT_HOST: RegExp = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export const CERT_FETCH_TIMEOUT_MS = 5_000;
export const CERT_MAX_BYTES = 64 * 1024;
const CERT_CACHE_MAX_ENTRIES = 20;
const CERT_CACHE_TTL_MS = 60 * 60 * 1000;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const snsMessageSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  // Checked separately below, so an unsupported version gets its own reason.
  SignatureVersion: z.string(),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  // SNS omits Subject when none was published; a null is treated the same way.
  Subject: z.string().nullish(),
  Token: z.string().optional(),
  SubscribeURL: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});

/**
 * The canonical string AWS signs for this message (see the module comment). Throws if a
 * confirmation message lacks SubscribeURL or Token; `verify` checks that before calling it.
 */
export function buildStringToSign(m: SnsMessage): string {
  const pairs: Array<[string, string | undefined]> =
    m.Type === 'Notification'
      ? [
          ['Message', m.Message],
          ['MessageId', m.MessageId],
          ...(m.Subject !== undefined ? [['Subject', m.Subject] as [string, string]] : []),
          ['Timestamp', m.Timestamp],
          ['TopicArn', m.TopicArn],
          ['Type', m.Type],
        ]
      : [
          ['Message', m.Message],
          ['MessageId', m.MessageId],
          ['SubscribeURL', m.SubscribeURL],
          ['Timestamp', m.Timestamp],
          ['Token', m.Token],
          ['TopicArn', m.TopicArn],
          ['Type', m.Type],
        ];
  let out = '';
  for (const [name, value] of pairs) {
    if (value === undefined) throw new Error(`${name} is required for ${m.Type}`);
    out += `${name}\n${value}\n`;
  }
  return out;
}

/** Default certificate fetcher: GET, 5 s overall timeout, 64 KB cap, redirects refused, 200 only. */
export async function defaultFetchCert(url: string): Promise<string> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(CERT_FETCH_TIMEOUT_MS),
    redirect: 'error',
    headers: { accept: 'application/x-pem-file, text/plain, */*' },
  });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > CERT_MAX_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`certificate larger than ${CERT_MAX_BYTES} bytes`);
  }
  if (!res.body) throw new Error('empty response');
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > CERT_MAX_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`certificate larger than ${CERT_MAX_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface CacheEntry {
  cert: X509Certificate;
  expiresAt: number;
}

type CertResult = { ok: true; cert: X509Certificate } | { ok: false; reason: string };

export class SnsVerifier {
  private readonly topicArns: ReadonlySet<string>;
  private readonly certHostPattern: RegExp;
  private readonly allowHttp: boolean;
  private readonly fetchCert: (url: string) => Promise<string>;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<CertResult>>();

  constructor(opts: SnsVerifierOptions) {
    this.topicArns = new Set(opts.topicArns);
    // A /g or /y pattern would make .test() stateful (lastIndex); strip those flags.
    this.certHostPattern = new RegExp(opts.certHostPattern.source, opts.certHostPattern.flags.replace(/[gy]/g, ''));
    this.allowHttp = opts.allowHttpCertUrls === true;
    this.fetchCert = opts.fetchCert ?? defaultFetchCert;
  }

  async verify(body: unknown): Promise<SnsVerifyResult> {
    try {
      return await this.verifyInner(body);
    } catch (err) {
      // Defensive: nothing above is expected to throw.
      return { ok: false, reason: `verification error: ${describeError(err)}` };
    }
  }

  private async verifyInner(body: unknown): Promise<SnsVerifyResult> {
    const parsed = snsMessageSchema.safeParse(body);
    if (!parsed.success) {
      // Field names only, never values.
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      return { ok: false, reason: `malformed SNS message (${fields})` };
    }
    const p = parsed.data;

    if (p.Type !== 'Notification' && (p.SubscribeURL === undefined || p.Token === undefined)) {
      return { ok: false, reason: `malformed SNS message (${p.Type} without SubscribeURL or Token)` };
    }
    if (!this.topicArns.has(p.TopicArn)) return { ok: false, reason: 'TopicArn not allowed' };

    const urlCheck = this.checkCertUrl(p.SigningCertURL);
    if (!urlCheck.ok) return urlCheck;

    if (p.SignatureVersion !== '1' && p.SignatureVersion !== '2') {
      return { ok: false, reason: 'unsupported SignatureVersion' };
    }
    if (!BASE64.test(p.Signature)) return { ok: false, reason: 'Signature is not Base64' };

    const message: SnsMessage = {
      Type: p.Type,
      MessageId: p.MessageId,
      TopicArn: p.TopicArn,
      Message: p.Message,
      Timestamp: p.Timestamp,
      SignatureVersion: p.SignatureVersion,
      Signature: p.Signature,
      SigningCertURL: p.SigningCertURL,
    };
    if (p.Subject !== undefined && p.Subject !== null) message.Subject = p.Subject;
    if (p.Token !== undefined) message.Token = p.Token;
    if (p.SubscribeURL !== undefined) message.SubscribeURL = p.SubscribeURL;
    if (p.UnsubscribeURL !== undefined) message.UnsubscribeURL = p.UnsubscribeURL;

    const certResult = await this.getCert(urlCheck.href);
    if (!certResult.ok) return certResult;
    const cert = certResult.cert;

    const now = Date.now();
    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    if (!Number.isFinite(validFrom) || !Number.isFinite(validTo)) {
      return { ok: false, reason: 'certificate validity dates unreadable' };
    }
    if (now > validTo) {
      this.cache.delete(urlCheck.href);
      return { ok: false, reason: 'certificate expired' };
    }
    if (now < validFrom) return { ok: false, reason: 'certificate not yet valid' };

    const publicKey = cert.publicKey;
    if (publicKey.asymmetricKeyType !== 'rsa') return { ok: false, reason: 'certificate key is not RSA' };

    const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
    let valid: boolean;
    try {
      valid = cryptoVerify(
        algorithm,
        Buffer.from(buildStringToSign(message), 'utf8'),
        publicKey,
        Buffer.from(message.Signature, 'base64'),
      );
    } catch {
      valid = false;
    }
    return valid ? { ok: true, message } : { ok: false, reason: 'signature mismatch' };
  }

  private checkCertUrl(raw: string): { ok: true; href: string } | { ok: false; reason: string } {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, reason: 'SigningCertURL is not a valid URL' };
    }
    if (url.protocol !== 'https:' && !(this.allowHttp && url.protocol === 'http:')) {
      return { ok: false, reason: 'SigningCertURL must use https' };
    }
    if (url.username !== '' || url.password !== '') {
      return { ok: false, reason: 'SigningCertURL must not carry credentials' };
    }
    if (!this.certHostPattern.test(url.hostname)) {
      return { ok: false, reason: 'SigningCertURL host is not an SNS host' };
    }
    if (url.port !== '' && !this.allowHttp) {
      return { ok: false, reason: 'SigningCertURL must use the default port' };
    }
    if (!url.pathname.endsWith('.pem')) return { ok: false, reason: 'SigningCertURL path must end in .pem' };
    return { ok: true, href: url.href };
  }

  /** Cached (LRU, bounded, TTL) certificate; concurrent callers for one URL share one fetch. */
  private getCert(href: string): Promise<CertResult> {
    const hit = this.cache.get(href);
    if (hit) {
      this.cache.delete(href);
      if (hit.expiresAt > Date.now()) {
        this.cache.set(href, hit); // most recently used goes last
        return Promise.resolve({ ok: true, cert: hit.cert });
      }
    }
    const pending = this.inflight.get(href);
    if (pending) return pending;

    const p = this.loadCert(href).finally(() => this.inflight.delete(href));
    this.inflight.set(href, p);
    return p;
  }

  private async loadCert(href: string): Promise<CertResult> {
    let pem: string;
    try {
      pem = await this.fetchCert(href);
    } catch (err) {
      return { ok: false, reason: `certificate fetch failed: ${describeError(err)}` };
    }
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      return { ok: false, reason: 'certificate fetch returned no PEM certificate' };
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      return { ok: false, reason: 'certificate could not be parsed' };
    }
    while (this.cache.size >= CERT_CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(href, { cert, expiresAt: Date.now() + CERT_CACHE_TTL_MS });
    return { ok: true, cert };
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code =
      cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    const name = err.name === 'TimeoutError' ? 'timeout' : err.message;
    return `${name}${code}`.slice(0, 200);
  }
  return 'unknown error';
}
