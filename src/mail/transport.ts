/** One email as every transport takes it. Tags are opaque ids only (never addresses or names). */
export interface OutgoingEmail {
  to: string;
  from: { address: string; name?: string };
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  tags: Record<string, string>;
}

export interface MailTransport {
  readonly name: string;
  send(mail: OutgoingEmail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

/**
 * How a failed send must be handled (CONTRACTS.md "AWS SES"):
 * - retryable: not accepted (throttling, 5xx, connection refused) — send again later, with backoff;
 * - ambiguous: the request may have been accepted (timeout, connection reset) — never resend blindly;
 * - permanent: refused for good (rejected, bad request) — mark failed with the reason;
 * - quota: daily quota exhausted — park until the window resets;
 * - paused: sending paused or account suspended — stop the queue and alert.
 */
export type SendFailureKind = 'retryable' | 'ambiguous' | 'permanent' | 'quota' | 'paused';

export class MailSendError extends Error {
  constructor(readonly kind: SendFailureKind, message: string, readonly code?: string) {
    super(message);
    this.name = 'MailSendError';
  }
}

/** Network errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED']);

export function classifyNetworkError(e: { code?: string; name?: string; message?: string }): SendFailureKind {
  return NOT_SENT_CODES.has(e.code ?? '') ? 'retryable' : 'ambiguous';
}

/** RFC 2047-safe display name for a From header: quotes and backslashes escaped, no line breaks. */
export function formatAddress(address: string, name?: string): string {
  if (!name) return address;
  const clean = name.replace(/[\r\n\t]+/g, ' ').replace(/["\\]/g, '\\$&');
  return `"${clean}" <${address}>`;
}
