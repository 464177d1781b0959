/**
 * Follow-up outcome codes (issue 15, recovery effectiveness). Pure.
 *
 * The follow-up task tells the agent to close it with one of the connector's codes at the start of
 * the close notes ("could_not_reach – tried twice, voicemail"). When the task is read closed, the
 * code is parsed back; the free text is kept as it is. Lenient on purpose, because people type:
 * case, spaces or hyphens for underscores ("Could not reach"), brackets ("[resolved]"), a label
 * ("Code: explained", "Outcome = no_action"), and a prefix before a colon on the line (Jira reports
 * "<resolution>: <last comment>", e.g. "Done: resolved, customer happy"). Strict where it matters:
 * a code counts only at the start of a line (or of the text after the line's first colon), never in
 * the middle of a sentence — "The issue was not resolved" is no code.
 */

export const DEFAULT_OUTCOME_CODES = ['resolved', 'explained', 'could_not_reach', 'no_action'] as const;
export const OUTCOME_CODE_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
/** The code that counts as "never reached" in the recovery figures. */
export const NOT_REACHED_CODE = 'could_not_reach';

/** Lines looked at (a code further down is part of the story, not the outcome). */
const MAX_LINES = 5;
const LEAD = /^[\s[(#*>•\-–—"'`]+/u;
const LABEL = /^(?:outcome|code|result|ergebnis)\s*[:=]\s*/i;

export interface ParsedOutcome {
  /** The code found, as configured; null when none was given. */
  code: string | null;
  /** The notes without the code (what themes analyse); the whole notes when there is no code. */
  text: string;
}

export function parseOutcome(notes: string | null | undefined, codes: readonly string[]): ParsedOutcome {
  const all = typeof notes === 'string' ? notes : '';
  // Longest first, so that "no_action_needed" wins over "no_action" when both are codes.
  const byLength = [...codes].sort((a, b) => b.length - a.length);
  const lines = all.split('\n');
  let offset = 0;
  for (let i = 0; i < lines.length && i < MAX_LINES; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const starts = [0, ...(colon > 0 ? [colon + 1] : [])];
    for (const start of starts) {
      const hit = codeAt(line.slice(start), byLength);
      if (hit) {
        // The code goes with whatever led up to it on its segment (brackets, a label); the rest stays.
        const before = all.slice(0, offset + start).trimEnd();
        const after = all.slice(offset + start + hit.to).replace(/^[\s:;,.=\-–—\])]+/u, '');
        return { code: hit.code, text: `${before}${before && after ? ' ' : ''}${after}`.trim() };
      }
    }
    offset += line.length + 1;
  }
  return { code: null, text: all.trim() };
}

/** The code at the start of `segment` (after leading punctuation and an optional label), with its span. */
function codeAt(segment: string, codes: readonly string[]): { code: string; to: number } | null {
  const lead = LEAD.exec(segment)?.[0].length ?? 0;
  let rest = segment.slice(lead);
  const label = LABEL.exec(rest)?.[0].length ?? 0;
  rest = rest.slice(label);
  for (const code of codes) {
    const end = matchLength(rest, code);
    if (end !== null) return { code, to: lead + label + end };
  }
  return null;
}

/** How many characters of `text` spell `code` (underscores as _, space or hyphen runs), if they do and a word ends there. */
function matchLength(text: string, code: string): number | null {
  let i = 0;
  for (const part of code.split('_')) {
    if (i > 0) {
      const sep = /^[\s_\-]+/.exec(text.slice(i));
      if (!sep) return null;
      i += sep[0].length;
    }
    if (text.slice(i, i + part.length).toLowerCase() !== part) return null;
    i += part.length;
  }
  return /^[\p{L}\p{N}_]/u.test(text.slice(i)) ? null : i;
}
