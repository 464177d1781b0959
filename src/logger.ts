import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Keys whose values are secrets wherever they appear in a log object.
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** Masks an email to its first character and domain: "j***@example.com". */
export const maskEmails = (s: string): string => s.replace(EMAIL, '$1***@$2');

/**
 * Deep-copies a log object, replacing secret-named keys and masking emails in strings.
 * pino's path-based `redact` cannot match patterns inside strings, hence this walk.
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskEmails(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { type: value.name, message: maskEmails(value.message), stack: value.stack && maskEmails(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
    serializers: { err: (e: Error) => scrub(e) },
    hooks: {
      logMethod(args, method) {
        // Mask emails in the message string as well as in the object.
        const masked = args.map((a) => (typeof a === 'string' ? maskEmails(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
