/** Parses an RFC 8288 Link header into rel → URL, e.g. `<https://x/...>;rel="next",<...>;rel="last"`. */
export function parseLinkHeader(header: string | string[] | undefined): Record<string, string> {
  const value = Array.isArray(header) ? header.join(',') : header;
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '')?.[1];
    if (rel && m[1]) for (const r of rel.trim().split(/\s+/)) out[r.toLowerCase()] = m[1];
  }
  return out;
}
