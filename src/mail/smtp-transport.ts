import nodemailer, { type Transporter } from 'nodemailer';
import { classifyNetworkError, formatAddress, MailSendError, type MailTransport, type OutgoingEmail } from './transport.js';

/** For organisations relaying through their own mail server. One pooled connection set per process. */
export class SmtpTransport implements MailTransport {
  readonly name = 'smtp';
  private readonly transporter: Transporter;

  constructor(url: string) {
    this.transporter = nodemailer.createTransport(url, { pool: true, maxConnections: 3 } as object);
  }

  async send(mail: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const info = await this.transporter.sendMail({
        from: formatAddress(mail.from.address, mail.from.name),
        to: mail.to,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: { ...mail.headers, 'X-Feedback-Tags': Object.entries(mail.tags).map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      return { messageId: String(info.messageId) };
    } catch (e) {
      const err = e as Error & { code?: string; responseCode?: number; originalCode?: string };
      // Refused credentials are a configuration problem, not this email's: stop sending and alert.
      if (err.code === 'EAUTH') throw new MailSendError('paused', `SMTP authentication failed: ${err.message}`, err.code);
      if (typeof err.responseCode === 'number') {
        // SMTP: 4xx is a temporary refusal, 5xx a permanent one.
        throw new MailSendError(err.responseCode >= 500 ? 'permanent' : 'retryable', `SMTP ${err.responseCode}: ${err.message}`, String(err.responseCode));
      }
      // nodemailer wraps socket errors as ESOCKET/ECONNECTION and keeps the cause in originalCode:
      // a refused connection proves nothing was sent, a connection lost mid-message does not.
      const code = err.originalCode ?? err.code;
      throw new MailSendError(classifyNetworkError({ code }), `SMTP ${code ?? err.name}: ${err.message}`, code);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
