import { describe, expect, it } from 'vitest';
import { dashboardFixture } from '../../test/support/analytics-fixtures.js';
import type { DashboardExtras } from '../analytics/dashboard/extras.js';
import { cesText, npsText, renderDashboard } from './analytics-pages.js';

function data(html: string) {
  const m = /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(html)!;
  return JSON.parse(m[1]!);
}

const extras = (over: Partial<DashboardExtras> = {}): DashboardExtras => ({
  options: { agents: [{ key: 'snow:a1', label: 'Alex Morgan' }], categories: [{ key: 'network', label: 'network' }], priorities: [{ key: '3', label: '3' }] },
  recovery: null,
  dimensions: null,
  now: '2025-02-26T12:00:00Z', // inside the last fixture week (2025-02-24 …)
  minGroupSize: 5,
  ...over,
});

describe('dashboard: issue 15 additions', () => {
  it('NPS and CES carry their margin of error', () => {
    expect(npsText({ n: 7, promoters: 3, passives: 2, detractors: 2, score: 14.3, margin: 61.7, interval: { low: -47.4, high: 76 } })).toBe('+14 (±62)');
    expect(cesText({ n: 6, mean: 5.67, margin: 1.08, interval: { low: 4.58, high: 6.75 } })).toBe('5.7 (±1.1)');
    expect(npsText({ n: 1, promoters: 1, passives: 0, detractors: 0, score: 100 })).toBe('+100');
  });

  it('leaves trend points below the minimum group size out (gaps), marks the running week partial, draws the response rate', () => {
    const view = dashboardFixture();
    const html = renderDashboard({ ...view, extras: extras({ minGroupSize: 1000 }) });
    const d = data(html);
    // With a minimum of 1,000 answers no point is drawn.
    expect(d.trend.series.every((s: any) => s.values.csat.every((v: unknown) => v === null))).toBe(true);
    expect(html).toContain('fewer than 1,000');
    expect(d.trend.partial.at(-1)).toBe(true);
    expect(d.trend.labels.at(-1)).toMatch(/\*$/);
    expect(d.trend.partial.slice(0, -1).every((p: boolean) => !p)).toBe(true);
    expect(d.responseRate.series.length).toBeGreaterThan(1);
    expect(html).toContain('<canvas data-chart="response-rate"');

    const normal = data(renderDashboard({ ...view, extras: extras() }));
    expect(normal.trend.series[0].values.csat.filter((v: unknown) => v !== null).length).toBeGreaterThan(4);
  });

  it('offers the agent, category and priority filters, and links counts to the drill-down', () => {
    const html = renderDashboard({ ...dashboardFixture(), filter: { ...dashboardFixture().filter, category: 'network' }, extras: extras() });
    expect(html).toContain('<select id="f-agent" name="agent"><option value="" selected>All agents</option><option value="snow:a1">Alex Morgan</option></select>');
    expect(html).toContain('<option value="network" selected>network</option>');
    expect(html).toMatch(/<a href="\/admin\/dashboard\/answers\?from=2025-01-06&amp;to=2025-03-02&amp;category=network&amp;team=Service\+Desk&amp;detractor=1" class="drill">\d+<\/a>/);
    expect(html).toContain('Overdue now');
    expect(html).toContain('Closed within the due time');
  });

  it('filtered to one agent: no drill-down, no per-person sections', () => {
    const view = dashboardFixture();
    const html = renderDashboard({ ...view, filter: { ...view.filter, agent: 'snow:a1' }, perAgent: true, extras: extras() });
    expect(html).not.toContain('/admin/dashboard/answers');
    expect(html).not.toContain('id="comments-heading"');
    expect(html).toContain('Filtered to one agent');
  });
});
