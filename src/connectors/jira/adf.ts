import { randomUUID } from 'node:crypto';

/** Atlassian Document Format, the subset we write: paragraphs, hard breaks, and task lists. */
type AdfNode = { type: string; text?: string; attrs?: Record<string, unknown>; content?: AdfNode[] };
export interface AdfDoc { type: 'doc'; version: 1; content: AdfNode[] }

function inline(lines: string[]): AdfNode[] {
  const out: AdfNode[] = [];
  lines.forEach((line, i) => {
    if (i > 0) out.push({ type: 'hardBreak' });
    if (line !== '') out.push({ type: 'text', text: line });
  });
  return out;
}

/**
 * Our plain-text notes to ADF: blank lines separate paragraphs, single newlines become hard breaks,
 * and runs of "[ ] step" lines become a real Jira checklist (a taskList the agent can tick).
 */
export function textToAdf(text: string): AdfDoc {
  const content: AdfNode[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n');
    let para: string[] = [];
    let tasks: string[] = [];
    const flushPara = () => {
      const nodes = inline(para);
      if (nodes.length) content.push({ type: 'paragraph', content: nodes });
      para = [];
    };
    const flushTasks = () => {
      if (tasks.length) {
        content.push({
          type: 'taskList',
          attrs: { localId: randomUUID() },
          content: tasks.map((t) => ({ type: 'taskItem', attrs: { localId: randomUUID(), state: 'TODO' }, content: t ? [{ type: 'text', text: t }] : [] })),
        });
      }
      tasks = [];
    };
    for (const line of lines) {
      const task = /^\[ \] (.*)$/.exec(line);
      if (task) {
        flushPara();
        tasks.push(task[1]!);
      } else {
        flushTasks();
        para.push(line);
      }
    }
    flushPara();
    flushTasks();
  }
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

/**
 * Jira Data Center renders comment and description text as wiki markup: customer text is escaped so
 * it cannot add links, images, macros ({code}, {html}) or formatting. Backslash escapes every special.
 */
export function escapeWikiMarkup(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/([\\{}[\]!|*_+^~#?\-])/g, '\\$1');
}
