import type { Figures, StatsReport } from './types.js';

/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a leading
 * apostrophe (OWASP "CSV injection"): customer comments end up in these files.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // Numbers and times never need quotes or the formula guard (a year's export has millions of cells).
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString();
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: readonly unknown[]) => values.map(csvCell).join(',') + '\r\n';

const FIGURE_COLUMNS = ['sent', 'delivered', 'answered', 'response_rate', 'csat_n', 'csat_share', 'csat_low', 'csat_high', 'nps_n', 'nps_promoters', 'nps_passives', 'nps_detractors', 'nps_score', 'ces_n', 'ces_mean', 'detractors', 'hidden'];

function figureCells(f: Figures): unknown[] {
  const r = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 10_000) / 10_000);
  return [
    f.funnel.sent, f.funnel.delivered, f.funnel.answered, r(f.funnel.responseRate),
    f.csat?.n ?? 0, r(f.csat?.share), r(f.csat?.interval?.low), r(f.csat?.interval?.high),
    f.nps?.n ?? 0, f.nps?.promoters ?? null, f.nps?.passives ?? null, f.nps?.detractors ?? null, f.nps?.score ?? null,
    f.ces?.n ?? 0, f.ces?.mean ?? null, f.detractors, f.hidden ? 'yes' : 'no',
  ];
}

/** One row per group (or the total) and period; period 'all' is the whole range. */
export function statsCsv(report: StatsReport): string {
  let out = csvLine(['group_key', 'group', 'period', ...FIGURE_COLUMNS]);
  const rows = report.groups.length ? report.groups : [{ key: '', label: 'All', ...report.total }];
  for (const g of rows) {
    out += csvLine([g.key, g.label, 'all', ...figureCells(g)]);
    for (const p of g.series) out += csvLine([g.key, g.label, p.period, ...figureCells(p)]);
  }
  return out;
}
