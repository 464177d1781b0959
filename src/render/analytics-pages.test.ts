import { describe, expect, it } from 'vitest';
import {
  dashboardFixture,
  HOSTILE_COMMENT,
  HOSTILE_COMMENT_2,
  HOSTILE_OUTCOME,
  HOSTILE_TEAM,
  REALISTIC_TEAMS,
  scoreboardFixture,
} from '../../test/support/analytics-fixtures.js';
import { analyticsAssets, chartJsPath } from './analytics-assets.js';
import { csatText, renderAnalyticsMessage, renderDashboard, renderScoreboard } from './analytics-pages.js';
import { scriptJson } from './templates.js';

const hostileTeams: [string, string, string] = [REALISTIC_TEAMS[0], REALISTIC_TEAMS[1], HOSTILE_TEAM];

/** The text of a <script type="application/json"> element: raw text up to the first "</script" (no entity decoding), as an HTML parser reads it. */
function scriptText(html: string, id: string): string {
  const open = `<script type="application/json" id="${id}">`;
  const start = html.indexOf(open);
  expect(start, `no #${id} block`).toBeGreaterThanOrEqual(0);
  const from = start + open.length;
  const end = html.toLowerCase().indexOf('</script', from);
  expect(end).toBeGreaterThan(from);
  return html.slice(from, end);
}

/** Start tags of the markup (text is escaped, so every '<' left starts a real tag). */
const tags = (html: string) => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

function expectNoInjectedMarkup(html: string) {
  expect(html).not.toContain('<img src=x onerror');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toContain('</script><script>');
  expect(html).not.toContain('<svg');
  expect(html).not.toContain('<!--');
  // No event handlers, inline styles or javascript: URLs anywhere in the markup.
  for (const tag of tags(html)) {
    expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag).not.toMatch(/\sstyle\s*=/i);
    expect(tag).not.toMatch(/javascript:/i);
  }
  // Scripts: only the page's own files and the JSON data block, nothing inline.
  for (const tag of tags(html).filter((t) => /^<script\b/i.test(t))) {
    expect(tag).toMatch(/^<script (src="\/assets\/[a-z.-]+\.js\?v=[0-9a-f]{12}" defer|type="application\/json" id="(dashboard|scoreboard)-data")>$/);
  }
}

describe('dashboard page', () => {
  const view = dashboardFixture({ teams: hostileTeams });
  const html = renderDashboard(view);

  it('escapes hostile comments, team names and outcomes everywhere', () => {
    expectNoInjectedMarkup(html);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.__xss&#x3D;3&lt;/script&gt;');
    expect(html).toContain('&lt;svg onload&#x3D;&quot;window.__xss&#x3D;5&quot;&gt;Called back&lt;/svg&gt;');
  });

  it('carries the chart data as JSON that round-trips, hostile labels included', () => {
    const text = scriptText(html, 'dashboard-data');
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    const data = JSON.parse(text) as {
      trend: { labels: string[]; titles: string[]; scales: { id: string }[]; defaultScale: string; series: { label: string; total: boolean; values: Record<string, (number | null)[]>; n: Record<string, number[]> }[] };
      funnel: { sent: number; delivered: number | null; answered: number };
    };
    expect(data.trend.series.map((s) => s.label)).toEqual([...[...hostileTeams].sort(), 'All teams']);
    expect(data.trend.series.map((s) => s.label)).toContain(HOSTILE_TEAM);
    expect(data.trend.scales.map((s) => s.id)).toEqual(['csat', 'nps']);
    expect(data.trend.defaultScale).toBe('csat');
    expect(data.trend.labels).toHaveLength(8);
    expect(data.trend.titles[0]).toBe('Week of 6 Jan 2025');
    // The values are the report's own figures: CSAT as a percentage, NPS as the score.
    const team = view.byTeam.groups[0]!;
    const series = data.trend.series.find((s) => s.label === team.label)!;
    expect(series.values.csat).toEqual(team.series.map((p) => (p.csat?.share == null ? null : Math.round(p.csat.share * 1000) / 10)));
    expect(series.values.nps).toEqual(team.series.map((p) => p.nps?.score ?? null));
    expect(series.n.csat).toEqual(team.series.map((p) => p.csat?.n ?? 0));
    expect(data.funnel).toEqual({ sent: view.byTeam.total.funnel.sent, delivered: view.byTeam.total.funnel.delivered, answered: view.byTeam.total.funnel.answered });
  });

  it('shows hidden agents as "fewer than N answers" and no figures for them', () => {
    const hidden = view.byAgent.groups.filter((g) => g.hidden);
    expect(hidden.length).toBeGreaterThan(0);
    for (const g of hidden) {
      const row = new RegExp(`<tr class="withheld">\\s*<th scope="row">${g.label}</th>\\s*<td colspan="\\d+" class="withheld-text">Fewer than 5 answers</td>\\s*</tr>`);
      expect(html).toMatch(row);
    }
    const visible = view.byAgent.groups.find((g) => !g.hidden)!;
    expect(html).toMatch(new RegExp(`<th scope="row">${visible.label}</th>\\s*<td class="num" data-label="Answered">${visible.funnel.answered}</td>`));
  });

  it('renders the scoreboard table with CSAT intervals, the funnel, follow-ups, themes and export links', () => {
    const team = view.byTeam.groups.find((g) => g.label === REALISTIC_TEAMS[0])!;
    expect(csatText(team.csat)).toMatch(/^\d+% \(\d+–\d+%\)$/);
    expect(html).toContain(`<td class="num" data-label="CSAT (satisfied)" title="${team.csat!.n} answers">${csatText(team.csat)}</td>`);
    expect(html).toContain('<th scope="col" class="num">CSAT (satisfied)</th>');
    expect(html).toContain('<th scope="col" class="num">NPS</th>');
    expect(html).not.toContain('CES (1–7)'); // no CES answers in the fixture: no empty column
    expect(html).toContain('<canvas data-chart="trend" role="img" aria-label="Trend of CSAT, NPS per team');
    expect(html).toContain('<select id="trend-scale"><option value="csat" selected>CSAT</option><option value="nps">NPS</option></select>');
    expect(html).toContain('<canvas data-chart="funnel"');
    expect(html).toContain('Created within 15 min');
    expect(html).toContain('21 of 96 comments');
    expect(html).toMatch(/<span class="badge badge-team" title="[^"]*">team<\/span>/);
    expect(html).toMatch(/<span class="badge badge-systemic" title="[^"]*">systemic<\/span>/);
    expect(html).toContain('href="/admin/export/answers.csv?from=2025-01-06&amp;to=2025-03-02&amp;interval=week"');
    expect(html).toContain('href="/admin/export/stats.csv?from=2025-01-06&amp;to=2025-03-02&amp;interval=week&amp;groupBy=team"');
    expect(html).toContain('<a href="/scoreboard/snow">ServiceNow (production)</a>');
    expect(html).not.toContain('/scoreboard/jira');
    expect(html).toContain('<form method="get" action="/admin/dashboard"');
    for (const name of ['from', 'to', 'connector', 'team', 'interval']) expect(html).toContain(`name="${name}"`);
  });

  it('says "not tracked" for an unknown delivery count and leaves the bar out of the data', () => {
    const v = dashboardFixture();
    v.byTeam.total.funnel.delivered = null;
    const out = renderDashboard(v);
    expect(out).toContain('<span class="step-label">Delivered</span> <span class="step-value">not tracked</span>');
    expect((JSON.parse(scriptText(out, 'dashboard-data')) as { funnel: { delivered: null } }).funnel.delivered).toBeNull();
  });

  it('renders an empty period as "No answers in this period" without chart canvases', () => {
    const out = renderDashboard(dashboardFixture({ empty: true }));
    expect(out).toContain('No answers in this period');
    expect(out).not.toContain('<canvas');
    expect(JSON.parse(scriptText(out, 'dashboard-data'))).toEqual({ trend: null, funnel: null, responseRate: null });
  });

  it('offers no scale choice when only one scale has answers', () => {
    const out = renderDashboard(dashboardFixture({ scales: ['ces'] }));
    expect(out).not.toContain('id="trend-scale"');
    expect(out).toContain('CES (1–7)');
    expect(out).not.toContain('CSAT (satisfied)');
  });
});

describe('public scoreboard page', () => {
  const view = scoreboardFixture({ teams: hostileTeams });
  const html = renderScoreboard(view);

  it('shows teams, scores and one sparkline per team, escaped', () => {
    expectNoInjectedMarkup(html);
    expect(html).toContain('Acme IT');
    expect(html).toContain('6 Jan 2025 – 2 Mar 2025');
    expect(html.match(/<canvas data-chart="team-trend" data-index="\d"/g)).toHaveLength(3);
    for (const t of view.teams) expect(html).toContain(csatText(t.csat));
    const data = JSON.parse(scriptText(html, 'scoreboard-data')) as { labels: string[]; teams: { label: string; scale: string; values: (number | null)[] }[] };
    expect(data.labels).toHaveLength(8);
    expect(data.teams.map((t) => t.label)).toEqual(view.teams.map((t) => t.label));
    expect(data.teams.map((t) => t.scale)).toEqual(['csat', 'csat', 'csat']);
  });

  it('contains no comments, outcomes or people', () => {
    const dash = dashboardFixture({ teams: hostileTeams });
    const forbidden = [
      ...dash.recentComments.map((c) => c.comment),
      HOSTILE_COMMENT,
      HOSTILE_COMMENT_2,
      HOSTILE_OUTCOME,
      ...dash.followUps.recentOutcomes.map((o) => o.outcome),
      ...dash.byAgent.groups.map((g) => g.label),
      'INC00',
      '@',
    ];
    const lower = html.toLowerCase();
    for (const text of forbidden) {
      expect(html).not.toContain(text);
      // …nor escaped: compare against the page with entities of < > " = & decoded.
      const decoded = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
      expect(decoded).not.toContain(text);
      expect(lower).not.toContain(text.toLowerCase());
    }
    for (const word of ['comment', 'agent']) expect(lower).not.toContain(word);
  });

  it('renders teams without answers as a friendly empty table', () => {
    const out = renderScoreboard({ ...view, teams: [] });
    expect(out).toContain('No answers in this period');
    expect(out).not.toContain('<canvas');
  });
});

describe('message page and helpers', () => {
  it('escapes the message of a refused filter', () => {
    const out = renderAnalyticsMessage({ title: 'The filter is not valid', text: 'from: "<script>alert(1)</script>" is not a date' });
    expect(out).toContain('from: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; is not a date');
    expect(out).not.toContain('<script>alert');
    expect(out).toContain('<meta name="robots" content="noindex,nofollow">');
  });

  it('scriptJson leaves nothing that can end a script element, and parses back to the same value', () => {
    const value = { s: '</script><!-- --> & \u2028\u2029 <SCRIPT>', n: [1, null, 'é'] };
    const out = scriptJson(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });

  it('serves Chart.js from the installed package, with content-hashed URLs', () => {
    expect(chartJsPath()).toMatch(/node_modules\/chart\.js\/dist\/chart\.umd\.min\.js$/);
    const assets = analyticsAssets();
    expect(assets.chart.body.toString('utf8', 0, 200)).toContain('Chart.js v4');
    expect(assets.chart.body.toString('utf8')).not.toContain('sourceMappingURL');
    expect(assets.dashboardJs.url).toMatch(/^\/assets\/dashboard\.js\?v=[0-9a-f]{12}$/);
  });
});
