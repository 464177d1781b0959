import type { InitiativeEffect, MeasureView } from './load.js';

/** The effect in one paragraph of plain English for admins (the API's `summary`, the dashboard). Pure. */
const VERDICT_TEXT = {
  improved: 'improved',
  worsened: 'worsened',
  no_distinguishable_change: 'no change distinguishable from noise',
  not_enough_data: 'not enough data',
  mixed: 'mixed: one measure improved, the other worsened',
} as const;

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const points = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)}`;

function line(name: string, m: MeasureView, minN: number): string {
  if (!m.after) return `${name}: ${pct(m.before.share)} before (n=${m.before.n}); after: not yet.`;
  const head = `${name}: ${pct(m.before.share)} before (n=${m.before.n}) → ${pct(m.after.share)} after (n=${m.after.n})`;
  if (!m.difference) return `${head}: not enough data (each side needs at least ${minN}).`;
  const d = m.difference;
  return `${head}, ${points(d.value)} points (95% interval ${points(d.low)} to ${points(d.high)}${d.p === null ? '' : `; p = ${d.p.toFixed(4)}`}): ${VERDICT_TEXT[m.verdict]}.`;
}

export function effectSummary(e: InitiativeEffect): string {
  if (!e.windows) return `Not measured: ${e.pending}.`;
  const parts: string[] = [];
  if (e.topic) {
    const what = [...e.topic.themes.map((t) => `“${t}”`), ...e.topic.categories.map((c) => `category ${c}`)].join(', ');
    parts.push(line(`Share of comments about ${what}`, e.topic, e.minGroupSize));
  }
  if (e.csat) parts.push(line('CSAT', e.csat, e.minGroupSize));
  parts.push(`Overall: ${VERDICT_TEXT[e.verdict]}${e.pending ? ` (${e.pending})` : e.windows.afterPartial ? ' (the weeks after are still running: so far)' : ''}.`);
  return parts.join(' ');
}
