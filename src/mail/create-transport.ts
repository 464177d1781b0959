import type { Config } from '../config.js';
import { MemoryTransport } from './memory-transport.js';
import { MailSendError, type MailTransport, type OutgoingEmail } from './transport.js';

/**
 * The transport MAIL_TRANSPORT names. The AWS SDK and nodemailer are loaded with the first email, so a
 * process that never sends one (an api process, an idle worker) does not carry them (a few MB each).
 */
export function createTransport(config: Config): MailTransport {
  switch (config.MAIL_TRANSPORT) {
    case 'ses':
      return new LazyTransport('ses', async () => {
        const { SesTransport } = await import('./ses-transport.js');
        return new SesTransport({
          region: config.SES_REGION,
          endpoint: config.SES_ENDPOINT,
          configurationSet: config.SES_CONFIGURATION_SET,
          ...(config.SES_ACCESS_KEY_ID && config.SES_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: config.SES_ACCESS_KEY_ID, secretAccessKey: config.SES_SECRET_ACCESS_KEY } } : {}),
        });
      });
    case 'smtp':
      return new LazyTransport('smtp', async () => new (await import('./smtp-transport.js')).SmtpTransport(config.SMTP_URL!));
    case 'memory':
      return new MemoryTransport();
  }
}

/** Builds the real transport on the first send (once, shared by concurrent sends). */
export class LazyTransport implements MailTransport {
  private transport: Promise<MailTransport> | null = null;

  constructor(
    readonly name: string,
    private readonly build: () => Promise<MailTransport>,
  ) {}

  async send(mail: OutgoingEmail): Promise<{ messageId: string }> {
    return (await this.load()).send(mail);
  }

  async close(): Promise<void> {
    if (this.transport) await (await this.transport.catch(() => null))?.close();
  }

  private load(): Promise<MailTransport> {
    this.transport ??= this.build().catch((e: unknown) => {
      // Nothing was sent: the email can go once the transport loads (next attempt builds it again).
      this.transport = null;
      throw new MailSendError('retryable', `mail transport could not be loaded: ${(e as Error)?.message ?? e}`);
    });
    return this.transport;
  }
}
