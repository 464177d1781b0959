import { randomBytes } from 'node:crypto';

/** ServiceNow glide_date_time wire format in UTC: `YYYY-MM-DD HH:mm:ss`. */
export function formatSnDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** 32 lowercase hex characters, like a real sys_id. */
export function newSysId(): string {
  return randomBytes(16).toString('hex');
}

export const SYS_ID_RE = /^[0-9a-f]{32}$/;

/** The error envelope the Table API uses for every failure. */
export function snError(message: string, detail: string | null): {
  error: { message: string; detail: string | null };
  status: 'failure';
} {
  return { error: { message, detail }, status: 'failure' };
}

export const NOT_FOUND = snError('No Record found', "Record doesn't exist or ACL restricts the record retrieval");
export const NOT_AUTHENTICATED = snError('User Not Authenticated', 'Required to provide Auth information');

/** Coerces any JSON value written by a client into the string ServiceNow would store. */
export function toSnString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'object' && !Array.isArray(v) && 'value' in v) return toSnString((v as { value: unknown }).value);
  return JSON.stringify(v);
}
