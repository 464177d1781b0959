import type { Config } from '../config.js';
import { MemoryTransport } from './memory-transport.js';
import { SesTransport } from './ses-transport.js';
import { SmtpTransport } from './smtp-transport.js';
import type { MailTransport } from './transport.js';

export function createTransport(config: Config): MailTransport {
  switch (config.MAIL_TRANSPORT) {
    case 'ses':
      return new SesTransport({
        region: config.SES_REGION,
        endpoint: config.SES_ENDPOINT,
        configurationSet: config.SES_CONFIGURATION_SET,
        ...(config.SES_ACCESS_KEY_ID && config.SES_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: config.SES_ACCESS_KEY_ID, secretAccessKey: config.SES_SECRET_ACCESS_KEY } } : {}),
      });
    case 'smtp':
      return new SmtpTransport(config.SMTP_URL!);
    case 'memory':
      return new MemoryTransport();
  }
}
