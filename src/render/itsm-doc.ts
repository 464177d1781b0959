/**
 * Text for an ITSM that remembers who wrote each piece. Our templates may carry structure (a line the
 * template starts with "[ ] " is a checklist item); customer text — comments, names, ticket titles — is
 * kept apart as data, so each connector can write it for its target (ServiceNow journal, Jira ADF, Jira
 * wiki markup) as plain text that no content can turn into markup. Structure is decided from the
 * template's own output before any customer text is put in, never by looking at the finished text.
 */
export interface Span {
  text: string;
  /** Written by the customer (or another outside party): data, never markup. May contain line breaks. */
  customer: boolean;
}

export interface DocLine {
  /** A checklist item: only ever set for a line our template started with "[ ] ". */
  task: boolean;
  spans: Span[];
}

/** One line per template line; an empty line separates paragraphs. */
export interface ItsmDoc {
  lines: DocLine[];
}

const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
// Control characters (but tab and line breaks) and our own placeholder sentinels never survive.
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\uE000\uE001]/g;

export const TASK_PREFIX = '[ ] ';

/** Customer text as every target gets it: line breaks normalised, control characters dropped. */
export function cleanCustomerText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNWANTED, '');
}

/**
 * Collects the customer values of one rendering. `put` hands the template an opaque placeholder instead
 * of the text ('' stays '', so `{{#if comment}}` still works); `toDoc` splits the template's output into
 * lines and puts the values back as customer spans.
 */
export class CustomerValues {
  private readonly values: string[] = [];

  put(value: string | null | undefined): string {
    const text = cleanCustomerText(value ?? '');
    if (text === '') return '';
    this.values.push(text);
    return `${OPEN}${this.values.length - 1}${CLOSE}`;
  }

  toDoc(rendered: string): ItsmDoc {
    const lines = rendered.replace(/\r\n?/g, '\n').split('\n');
    return {
      lines: lines.map((raw) => {
        const task = raw.startsWith(TASK_PREFIX);
        const line = task ? raw.slice(TASK_PREFIX.length) : raw;
        const spans: Span[] = [];
        let at = 0;
        for (const m of line.matchAll(PLACEHOLDER)) {
          if (m.index > at) spans.push({ text: line.slice(at, m.index), customer: false });
          spans.push({ text: this.values[Number(m[1])] ?? '', customer: true });
          at = m.index + m[0].length;
        }
        if (at < line.length) spans.push({ text: line.slice(at), customer: false });
        return { task, spans };
      }),
    };
  }
}

/** Leading and trailing empty lines dropped (templates end with a newline). */
export function trimDoc(doc: ItsmDoc): ItsmDoc {
  const empty = (l: DocLine) => !l.task && l.spans.every((s) => s.text.trim() === '');
  let start = 0;
  let end = doc.lines.length;
  while (start < end && empty(doc.lines[start]!)) start++;
  while (end > start && empty(doc.lines[end - 1]!)) end--;
  return { lines: doc.lines.slice(start, end) };
}

/**
 * The document as plain text, customer spans passed through `customer` (e.g. the ServiceNow journal's
 * neutralisation); checklist items keep their "[ ] ".
 */
export function docToText(doc: ItsmDoc, customer: (text: string) => string = (t) => t): string {
  return doc.lines.map((l) => (l.task ? TASK_PREFIX : '') + l.spans.map((s) => (s.customer ? customer(s.text) : s.text)).join('')).join('\n');
}

/** A document of our own text only (every "[ ] " line is a checklist item): never for customer text. */
export function templateTextDoc(text: string): ItsmDoc {
  return new CustomerValues().toDoc(text);
}
