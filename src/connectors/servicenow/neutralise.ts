import { docToText, type ItsmDoc } from '../../render/itsm-doc.js';

/**
 * ServiceNow renders `[code]…[/code]` in journal entries as raw HTML, so customer text must never be
 * able to open such a block. Square brackets become their full-width look-alikes: the text stays
 * readable for agents and cannot form any journal markup. Control characters are dropped.
 */
export function neutraliseForJournal(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\[/g, '［')
    .replace(/\]/g, '］');
}

/** A note or description for ServiceNow: our text as written, every customer span neutralised. */
export function docToJournal(doc: ItsmDoc): string {
  return docToText(doc, neutraliseForJournal);
}
