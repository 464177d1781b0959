import { cleanCustomerText, docToText, type ItsmDoc } from '../../render/itsm-doc.js';

/**
 * Jira's wiki renderer (Data Center bodies, and JSM request comments on Cloud) turns text into markup:
 * `*bold*`, `{code}`, `[link|http://…]`, `!http://…/i.png!`, `{color}`, `|` tables, `h1. ` and `bq. ` at the
 * start of a line, `#`/`*`/`-` lists, `----`, `\\` line breaks, bare `http://` links, `:D` emoticons.
 * Customer text must show as written and form none of it:
 * - every character Jira lets a backslash escape (`- # * _ + ? ^ ~ | % { } [ ] ( ) ! @`) is escaped;
 * - `&`, `\` and `:` (links, emoticons), and the first letter of `h1.`–`h6.` / `bq.` at a line start,
 *   become numeric character references, which Jira shows as the character itself;
 * - control characters are dropped.
 */
const SPECIAL = /[&\\:\-#*_+?^~|%{}[\]()!@]/g;
const REFERENCES: Readonly<Record<string, string>> = { '&': '&amp;', '\\': '&#92;', ':': '&#58;' };

export function escapeWikiMarkup(text: string): string {
  return cleanCustomerText(text)
    .replace(SPECIAL, (c) => REFERENCES[c] ?? `\\${c}`)
    .replace(/^([ \t]*)([hHbB])(?=[1-6qQ]\.)/gm, (_m, space: string, letter: string) => `${space}&#${letter.charCodeAt(0)};`);
}

/** A note or description in wiki markup: our text as written (its "[ ] " lines included), customer spans escaped. */
export function docToWiki(doc: ItsmDoc): string {
  return docToText(doc, escapeWikiMarkup);
}
