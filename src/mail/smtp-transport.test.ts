import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTransport } from './smtp-transport.js';
import { MailSendError, type OutgoingEmail } from './transport.js';

/**
 * Against a real SMTP server (smtp-server, from the nodemailer project) on a local port: what the relay
 * receives, and how its refusals are classified (4xx try again later, 5xx permanent, no server at all
 * retryable because nothing was sent).
 */
describe('SMTP transport against an SMTP server', () => {
  const received: { from: string; to: string[]; raw: string }[] = [];
  let server: SMTPServer;
  let port = 0;
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (address.address.startsWith('gone@')) return cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        if (address.address.startsWith('busy@')) return cb(Object.assign(new Error('4.2.1 try again later'), { responseCode: 451 }));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const mail = (to: string): OutgoingEmail => ({
    to,
    from: { address: 'service-desk@example.com', name: 'Acme "IT" Desk' },
    replyTo: 'help@example.com',
    subject: 'How did we do with INC0010001?',
    html: '<p>Rate us</p>',
    text: 'Rate us',
    headers: { 'List-Unsubscribe': '<https://feedback.example/u/tok>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    tags: { survey: '42', connector: 'snow' },
  });

  it('delivers the message with the one-click unsubscribe headers and id-only tags', async () => {
    const t = new SmtpTransport(`smtp://127.0.0.1:${port}`);
    try {
      const { messageId } = await t.send(mail('customer@example.org'));
      expect(messageId).toMatch(/^<.+@.+>$/);
      const got = received.at(-1)!;
      expect(got.from).toBe('service-desk@example.com');
      expect(got.to).toEqual(['customer@example.org']);
      expect(got.raw).toContain('List-Unsubscribe: <https://feedback.example/u/tok>');
      expect(got.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(got.raw).toContain('X-Feedback-Tags: survey=42; connector=snow');
      expect(got.raw).toContain('From: "Acme \\"IT\\" Desk" <service-desk@example.com>');
      expect(got.raw).toContain('Reply-To: help@example.com');
      expect(got.raw).toMatch(/Content-Type: multipart\/alternative/);
    } finally {
      await t.close();
    }
  });

  it('a 5xx refusal is permanent, a 4xx one is retried later', async () => {
    const t = new SmtpTransport(`smtp://127.0.0.1:${port}`);
    try {
      const gone = await t.send(mail('gone@example.org')).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(MailSendError);
      expect(gone).toMatchObject({ kind: 'permanent', code: '550' });
      const busy = await t.send(mail('busy@example.org')).catch((e: unknown) => e);
      expect(busy).toMatchObject({ kind: 'retryable', code: '451' });
    } finally {
      await t.close();
    }
  });

  it('refused credentials pause sending (a configuration problem), they do not fail the survey', async () => {
    const guarded = new SMTPServer({ logger: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, onAuth: (_auth, _session, cb) => cb(new Error('5.7.8 bad credentials')) });
    await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', () => resolve()));
    const t = new SmtpTransport(`smtp://relay-user:wrong@127.0.0.1:${(guarded.server.address() as { port: number }).port}`);
    try {
      expect(await t.send(mail('customer@example.org')).catch((e: unknown) => e)).toMatchObject({ kind: 'paused', code: 'EAUTH' });
    } finally {
      await t.close();
      await new Promise<void>((resolve) => guarded.close(() => resolve()));
    }
  });

  it('no server listening: retryable (nothing can have been sent)', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const deadPort = (closed.server.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const t = new SmtpTransport(`smtp://127.0.0.1:${deadPort}`);
    try {
      expect(await t.send(mail('customer@example.org')).catch((e: unknown) => e)).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
    } finally {
      await t.close();
    }
  });
});
