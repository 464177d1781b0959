import { describe, expect, it } from 'vitest';
import { LazyTransport } from './create-transport.js';
import { MemoryTransport } from './memory-transport.js';
import { MailSendError, type OutgoingEmail } from './transport.js';

const mail: OutgoingEmail = { to: 'a@example.com', from: { address: 'f@example.com' }, subject: 's', html: '<p>h</p>', text: 't', headers: {}, tags: {} };

describe('LazyTransport', () => {
  it('builds the transport once, on the first send, for concurrent sends too', async () => {
    let builds = 0;
    const inner = new MemoryTransport();
    const t = new LazyTransport('memory', async () => (builds++, inner));
    expect(builds).toBe(0);
    await Promise.all([t.send(mail), t.send(mail)]);
    expect(builds).toBe(1);
    expect(inner.sent).toHaveLength(2);
  });

  it('reports a transport that cannot be loaded as retryable (nothing was sent), and tries again next time', async () => {
    let attempt = 0;
    const t = new LazyTransport('ses', async () => {
      if (++attempt === 1) throw new Error('Cannot find module');
      return new MemoryTransport();
    });
    const failure = await t.send(mail).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MailSendError);
    expect((failure as MailSendError).kind).toBe('retryable');
    await expect(t.send(mail)).resolves.toMatchObject({ messageId: expect.any(String) });
  });

  it('closes nothing when nothing was sent', async () => {
    await expect(new LazyTransport('ses', () => Promise.reject(new Error('never built'))).close()).resolves.toBeUndefined();
  });
});
