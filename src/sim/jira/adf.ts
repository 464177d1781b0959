/** Small Atlassian Document Format helpers: plain text <-> ADF, as Jira converts between REST v2 and v3. */

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  marks?: unknown[];
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

export function isAdfDoc(v: unknown): v is AdfDoc {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { type?: unknown }).type === 'doc';
}

/** Plain text -> ADF: blank lines separate paragraphs, single newlines become hardBreaks. */
export function textToAdf(text: string): AdfDoc {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.length > 0);
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((p) => {
      const content: AdfNode[] = [];
      p.split('\n').forEach((line, i) => {
        if (i > 0) content.push({ type: 'hardBreak' });
        if (line.length > 0) content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    }),
  };
}

const BLOCK_SEPARATOR = '\n\n';

function inlineText(node: AdfNode): string {
  switch (node.type) {
    case 'text':
      return node.text ?? '';
    case 'hardBreak':
      return '\n';
    case 'mention':
      return String(node.attrs?.text ?? '');
    case 'emoji':
      return String(node.attrs?.text ?? node.attrs?.shortName ?? '');
    case 'inlineCard':
      return String(node.attrs?.url ?? '');
    case 'date': {
      const ts = Number(node.attrs?.timestamp);
      return Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : '';
    }
    case 'status':
      return String(node.attrs?.text ?? '');
    default:
      return (node.content ?? []).map(inlineText).join('');
  }
}

function blockText(node: AdfNode): string {
  switch (node.type) {
    case 'bulletList':
    case 'orderedList':
      return (node.content ?? [])
        .map((item, i) => `${node.type === 'bulletList' ? '*' : `${i + 1}.`} ${blocksText(item.content ?? []).replace(/\n\n/g, '\n')}`)
        .join('\n');
    case 'paragraph':
    case 'heading':
    case 'codeBlock':
      return (node.content ?? []).map(inlineText).join('');
    case 'rule':
      return '----';
    default:
      if (node.content?.some((c) => c.type === 'text' || c.type === 'hardBreak')) return (node.content ?? []).map(inlineText).join('');
      return blocksText(node.content ?? []);
  }
}

function blocksText(nodes: AdfNode[]): string {
  return nodes.map(blockText).join(BLOCK_SEPARATOR);
}

/** ADF -> plain text (what the REST v2 / webhook form shows for an ADF field). Strings pass through. */
export function adfToText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (!isAdfDoc(v)) return JSON.stringify(v);
  return blocksText(v.content ?? []);
}

/** True when the document contains no visible text at all. */
export function adfIsBlank(v: unknown): boolean {
  const t = adfToText(v);
  return t === null || t.trim() === '';
}
