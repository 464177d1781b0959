/**
 * Normalising untrusted values before they reach a template or a mail header. Escaping is the
 * templates' job ({{ }}); this removes what no escaping fixes: line breaks in a subject (header
 * injection), control and bidi-override characters, absurd lengths, and colours or logo URLs that
 * did not come through config validation.
 */

// C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line of text: controls become spaces, runs of whitespace collapse, capped at `max` characters. */
export function singleLine(value: string, max: number): string {
  const flat = value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/** A trimmed single line, or null when nothing readable is left. */
export function optionalLine(value: string | null | undefined, max: number): string | null {
  if (value == null) return null;
  const line = singleLine(value, max);
  return line === '' ? null : line;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

export function safeColor(value: string, fallback: string): string {
  return HEX.test(value) ? value.toLowerCase() : fallback;
}

function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White or near-black, whichever contrasts more with the (validated) background colour. */
export function contrastingText(background: string): string {
  const l = luminance(background);
  const withWhite = 1.05 / (l + 0.05);
  const withBlack = (l + 0.05) / 0.05;
  return withWhite >= withBlack ? '#ffffff' : '#111111';
}

/** The logo only when it is an https URL without whitespace (config already validates this). */
export function safeLogoUrl(value: string | null): string | null {
  if (!value || /[\s\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    return new URL(value).protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}
