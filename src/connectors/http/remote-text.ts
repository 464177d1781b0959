/**
 * Text taken from an ITSM's answer (its structured error message) before it goes into our messages,
 * logs and admin answers: control and bidi-override characters removed, whitespace collapsed, length
 * capped. Unstructured bodies (HTML pages, proxies' error pages, whatever a wrong baseUrl returns) are
 * never echoed at all: see the connectors' describe…Error functions.
 */
export const REMOTE_TEXT_MAX = 200;

// C0/C1 controls, and the Unicode bidi overrides/isolates that can make a message read backwards.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

export function remoteText(value: string, max = REMOTE_TEXT_MAX): string {
  const clean = value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** What an answer without a structured error says instead of its body. */
export const NO_STRUCTURED_ERROR = 'no structured error message in the answer';
