import { randomUUID } from 'node:crypto';
import type { DocLine, ItsmDoc } from '../../render/itsm-doc.js';

/** Atlassian Document Format, the subset we write: paragraphs, hard breaks, and task lists. */
type AdfNode = { type: string; text?: string; attrs?: Record<string, unknown>; content?: AdfNode[] };
export interface AdfDoc { type: 'doc'; version: 1; content: AdfNode[] }

/** A line's text as inline nodes: every piece a plain text node (no marks), line breaks in customer text as hard breaks. */
function inline(line: DocLine): AdfNode[] {
  const out: AdfNode[] = [];
  for (const span of line.spans) {
    span.text.split('\n').forEach((part, i) => {
      if (i > 0) out.push({ type: 'hardBreak' });
      if (part !== '') out.push({ type: 'text', text: part });
    });
  }
  return out;
}

const isBlank = (l: DocLine) => !l.task && l.spans.every((s) => s.text === '');

/**
 * Our notes as ADF: empty lines separate paragraphs, other lines become hard breaks, and runs of the
 * template's checklist lines become a real Jira checklist (a taskList the agent can tick). Whether a
 * line is a checklist item was decided by the template (DocLine.task); customer text is only ever text
 * nodes, whatever it contains ("[ ] …", "h1. ", "*bold*", links).
 */
export function docToAdf(doc: ItsmDoc): AdfDoc {
  const content: AdfNode[] = [];
  let para: AdfNode[] = [];
  let tasks: AdfNode[] = [];
  const flushPara = () => {
    if (para.length) content.push({ type: 'paragraph', content: para });
    para = [];
  };
  const flushTasks = () => {
    if (tasks.length) content.push({ type: 'taskList', attrs: { localId: randomUUID() }, content: tasks });
    tasks = [];
  };
  for (const line of doc.lines) {
    if (line.task) {
      flushPara();
      tasks.push({ type: 'taskItem', attrs: { localId: randomUUID(), state: 'TODO' }, content: inline(line) });
    } else if (isBlank(line)) {
      flushPara();
      flushTasks();
    } else {
      flushTasks();
      if (para.length) para.push({ type: 'hardBreak' });
      para.push(...inline(line));
    }
  }
  flushPara();
  flushTasks();
  return { type: 'doc', version: 1, content: content.length ? content : [{ type: 'paragraph', content: [] }] };
}

/** All text in an ADF document (or a Data Center string body), for marker searches. */
export function adfToText(body: unknown): string {
  if (typeof body === 'string') return body;
  const parts: string[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    const node = n as AdfNode;
    if (typeof node.text === 'string') parts.push(node.text);
    if (node.type === 'hardBreak') parts.push('\n');
    if (Array.isArray(node.content)) {
      node.content.forEach(walk);
      if (node.type === 'paragraph' || node.type === 'taskItem') parts.push('\n');
    }
  };
  walk(body);
  return parts.join('');
}
