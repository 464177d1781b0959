import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskEmails, scrub } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: createLogger('info', stream), lines };
}

describe('logger redaction', () => {
  it('masks emails and secret-named keys at any depth', () => {
    expect(maskEmails('mail jane.doe@example.com now')).toBe('mail j***@example.com now');
    expect(scrub({ auth: { password: 'p', clientSecret: 's', username: 'u' }, headers: { authorization: 'Basic x' }, to: ['a@b.io'] })).toEqual({
      auth: { password: '[redacted]', clientSecret: '[redacted]', username: 'u' },
      headers: { authorization: '[redacted]' },
      to: ['a***@b.io'],
    });
  });

  it('never writes the raw values to the log stream', async () => {
    const { logger, lines } = capture();
    logger.info({ email: 'alice@corp.example', token: 'tok-123', nested: { webhookSecret: 'abc' } }, 'sent to bob@corp.example');
    logger.error({ err: new Error('failed for carol@corp.example') }, 'boom');
    const out = lines.join('');
    for (const raw of ['alice@corp.example', 'bob@corp.example', 'carol@corp.example', 'tok-123', '"abc"']) expect(out).not.toContain(raw);
    expect(out).toContain('a***@corp.example');
    expect(out).toContain('[redacted]');
  });
});
