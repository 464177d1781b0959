import type { FastifyInstance } from 'fastify';

/**
 * Postgres text cannot hold U+0000, and jsonb cannot hold a lone UTF-16 surrogate: such a value in any
 * statement fails it (22021 "invalid byte sequence", 22P05 "unsupported Unicode escape sequence"),
 * which used to surface as a 500 and, on the survey page, as a lost answer. This is the one place that
 * deals with it for every route:
 * - parsed bodies (JSON, forms, SNS text) are cleaned: NULs removed, lone surrogates replaced by U+FFFD
 *   — a customer's comment with a stray NUL is recorded, minus the NUL; the raw bytes that webhook
 *   signatures are computed over are left untouched;
 * - a NUL in the URL (path parameters or query) is refused with 400 naming the parameter: no
 *   identifier, token or filter legitimately contains one;
 * - whatever still reaches Postgres and is refused as data (see `storageRefusal`) answers 400, not 500.
 */

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(s: string): string {
  return s.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Strings (values and keys) anywhere in a parsed body, cleaned; other values as they are. */
export function cleanDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return cleanText(v);
  if (depth > 64 || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => cleanDeep(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[cleanText(k)] = cleanDeep(x, depth + 1);
  return out;
}

/**
 * The first URL parameter holding a NUL, as the message of its 400 ("team: must not contain a NUL byte
 * (query parameter)", named like the routes' own validation messages), or null.
 */
function nulInUrl(params: unknown, query: unknown): string | null {
  const find = (o: unknown, kind: string): string | null => {
    if (!o || typeof o !== 'object') return null;
    for (const [k, v] of Object.entries(o)) {
      const values = Array.isArray(v) ? v : [v];
      if (k.includes('\u0000') || values.some((x) => typeof x === 'string' && x.includes('\u0000'))) return `${cleanText(k)}: must not contain a NUL byte (${kind})`;
    }
    return null;
  };
  return find(params, 'path parameter') ?? find(query, 'query parameter');
}

export function registerInputHygiene(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const problem = nulInUrl(req.params, req.query);
    if (problem) throw Object.assign(new Error(problem), { statusCode: 400 });
    if (req.body !== undefined && req.body !== null && !Buffer.isBuffer(req.body)) req.body = cleanDeep(req.body);
  });
}

/** Postgres "data exception" codes that come from values a client sent (text encoding, number ranges, dates, lengths). */
const INPUT_DATA_ERRORS: Record<string, string> = {
  '22021': 'a value contains bytes that cannot be stored',
  '22P05': 'a value contains characters that cannot be stored',
  '22001': 'a value is too long',
  '22003': 'a number is out of range',
  '22P02': 'a value is not of the expected type',
  '22007': 'a date or time is not valid',
  '22008': 'a date or time is out of range',
  '54000': 'a value is too large to be stored',
};

/** A 400 message for a database refusal caused by input that could not be cleaned, or null for anything else. */
export function storageRefusal(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in INPUT_DATA_ERRORS ? `${INPUT_DATA_ERRORS[code]}` : null;
}
