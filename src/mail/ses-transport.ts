import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { classifyNetworkError, formatAddress, MailSendError, type MailTransport, type OutgoingEmail, type SendFailureKind } from './transport.js';

const PERMANENT = new Set(['MessageRejected', 'BadRequestException', 'NotFoundException', 'MailFromDomainNotVerifiedException', 'InvalidParameterValue', 'ValidationException', 'AccessDeniedException']);
const RETRYABLE = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'ServiceUnavailable', 'InternalFailure', 'InternalServiceError']);
const PAUSED = new Set(['SendingPausedException', 'AccountSuspendedException']);
// Nothing was sent, and nothing will be until an operator fixes the credentials: stop and alert.
const MISCONFIGURED = new Set(['CredentialsProviderError', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException']);

export function classifySesError(e: { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } }): SendFailureKind {
  const name = e.name ?? '';
  if (PAUSED.has(name) || MISCONFIGURED.has(name)) return 'paused';
  if (/daily message quota exceeded/i.test(e.message ?? '')) return 'quota';
  if (RETRYABLE.has(name) || /maximum sending rate exceeded/i.test(e.message ?? '')) return 'retryable';
  if (PERMANENT.has(name)) return 'permanent';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429 ? 'retryable' : 'permanent';
  return classifyNetworkError(e);
}

/** SES click tracking would rewrite survey links through a redirect: opt every link out. */
const noTrack = (html: string) => html.replace(/<a\s(?![^>]*ses:no-track)/gi, '<a ses:no-track ');

/** SES API v2 SendEmail: the only SES API that can set List-Unsubscribe headers. One client per process. */
export class SesTransport implements MailTransport {
  readonly name = 'ses';
  private readonly client: SESv2Client;

  constructor(opts: { region: string; endpoint?: string; configurationSet?: string; timeoutMs?: number; credentials?: { accessKeyId: string; secretAccessKey: string } }, private readonly configurationSet = opts.configurationSet) {
    this.client = new SESv2Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // Our own retry policy decides (throttling is retried by the send stage with jitter).
      maxAttempts: 1,
      requestHandler: { requestTimeout: opts.timeoutMs ?? 15_000, connectionTimeout: 5_000 },
    });
  }

  async send(mail: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: formatAddress(mail.from.address, mail.from.name),
          Destination: { ToAddresses: [mail.to] },
          ...(mail.replyTo ? { ReplyToAddresses: [mail.replyTo] } : {}),
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: noTrack(mail.html), Charset: 'UTF-8' }, Text: { Data: mail.text, Charset: 'UTF-8' } },
              Headers: Object.entries(mail.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
          EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value })),
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        }),
      );
      if (!out.MessageId) throw new MailSendError('ambiguous', 'SES answered without a MessageId');
      return { messageId: out.MessageId };
    } catch (e) {
      if (e instanceof MailSendError) throw e;
      const err = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
      throw new MailSendError(classifySesError(err), `SES ${err.name}: ${err.message}`, err.name);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
