/** ServiceNow's glide date-time text, "YYYY-MM-DD HH:mm:ss", read as UTC (the integration user must be in UTC). */
export function toGlideDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export function parseGlideDateTime(v: unknown): Date | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v)) return null;
  const d = new Date(`${v.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}
