import { randomUUID } from 'node:crypto';
import { MailSendError, type MailTransport, type OutgoingEmail, type SendFailureKind } from './transport.js';

/** Keeps sent mail in memory (tests, benchmarks). `failNext` scripts failures. */
export class MemoryTransport implements MailTransport {
  readonly name = 'memory';
  readonly sent: Array<OutgoingEmail & { messageId: string }> = [];
  private readonly failures: SendFailureKind[] = [];

  failNext(...kinds: SendFailureKind[]): void {
    this.failures.push(...kinds);
  }

  async send(mail: OutgoingEmail): Promise<{ messageId: string }> {
    const fail = this.failures.shift();
    if (fail) throw new MailSendError(fail, `scripted ${fail} failure`);
    const messageId = randomUUID();
    this.sent.push({ ...mail, messageId });
    return { messageId };
  }

  async close(): Promise<void> {}
}
