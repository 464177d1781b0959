import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys, type PastSurvey } from '../src/analytics/history.js';
import type { Figures, StatsReport } from '../src/analytics/types.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * Small-group hiding cannot be undone by subtraction (issue 13 item 7), checked black-box on the
 * real service the way an admin would try: a team's figure minus its shown agents, an agent's total
 * minus its shown weeks, a week's total minus the shown agents, a one-agent team, one agent broken
 * down by category, and the public scoreboard's weeks. STATS_MIN_GROUP_SIZE is 5.
 */
const DAY = 86_400_000;
const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
const monday = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
const week = (w: number) => new Date(monday.getTime() - (4 - w) * 7 * DAY); // weeks 1..3 are the last complete ones but one
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const range = `from=${ymd(week(1))}&to=${ymd(new Date(week(3).getTime() + 6 * DAY))}`;

let n = 0;
function answers(team: string, agent: string, w: number, count: number, category = 'hardware'): PastSurvey[] {
  return Array.from({ length: count }, (_, i) => {
    n++;
    const sentAt = new Date(week(w).getTime() + (i % 5) * DAY + 9 * 3_600_000);
    return {
      connectorId: 'snow',
      ticket: { externalId: `t${n}`, key: `INC${3000 + n}`, title: 'x', category, priority: '3', groupId: `g-${team}`, groupName: team, assigneeId: `a-${agent}`, assigneeName: `Agent ${agent}` },
      requester: { email: `p${n}@example.com`, name: `P ${n}` },
      scale: 'csat',
      sentAt,
      answer: { score: 1 + (n % 5), comment: null, submittedAt: new Date(sentAt.getTime() + 3_600_000) },
    };
  });
}

/**
 * What an attacker can do with one response: every addition the report exposes (total = Σ groups,
 * total = Σ periods, group = Σ its periods, period total = Σ groups in it). A withheld figure is
 * given away when it is the only withheld member of one of them and the shown ones leave a
 * non-zero remainder (a remainder of 0 only says the withheld cell is empty).
 */
function derivable(report: StatsReport): string[] {
  const sent = (f: Figures) => f.funnel.sent;
  const relations: { name: string; parent: Figures; children: Figures[] }[] = [];
  if (report.groups.length) relations.push({ name: 'total = Σ groups', parent: report.total, children: report.groups });
  if (report.total.series.length) relations.push({ name: 'total = Σ periods', parent: report.total, children: report.total.series });
  for (const g of report.groups) if (g.series.length) relations.push({ name: `${g.label} = Σ its periods`, parent: g, children: g.series });
  report.total.series.forEach((p, j) => report.groups.length && relations.push({ name: `${p.period} = Σ groups`, parent: p, children: report.groups.map((g) => g.series[j]!) }));
  const found: string[] = [];
  for (const r of relations) {
    const hidden = r.children.filter((c) => c.hidden);
    const shown = r.children.filter((c) => !c.hidden).reduce((a, c) => a + sent(c), 0);
    if (!r.parent.hidden && hidden.length === 1 && sent(r.parent) - shown > 0) found.push(`${r.name}: parent − shown children = ${sent(r.parent) - shown}`);
    if (r.parent.hidden && hidden.length === 0 && shown > 0) found.push(`${r.name}: withheld parent = Σ shown children = ${shown}`);
  }
  return found;
}

describe('analytics: complementary suppression', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { analytics: { publicScoreboard: true } }))).status).toBe(201);
    await insertPastSurveys(h.te.db, [
      // Desk: A 6 + 6 + 2 (network), B 3 (a small agent), C 5 + 5 + 5.
      ...answers('Desk', 'A', 1, 6),
      ...answers('Desk', 'A', 2, 6),
      ...answers('Desk', 'A', 3, 2, 'network'),
      ...answers('Desk', 'B', 1, 3),
      ...answers('Desk', 'C', 1, 5),
      ...answers('Desk', 'C', 2, 5),
      ...answers('Desk', 'C', 3, 5),
      // Solo: one agent with 3 answers.
      ...answers('Solo', 'S', 2, 3),
      // Small: one agent, 6 answers one week and 3 the next.
      ...answers('Small', 'X', 1, 6),
      ...answers('Small', 'X', 2, 3),
    ]);
  });
  afterAll(() => h?.close());

  const stats = async (query: string): Promise<StatsReport> => {
    const res = await h.api('GET', `/admin/stats?${range}&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it("a team's figure minus its shown agents does not give the small agent", async () => {
    const r = await stats('team=snow:g-Desk&groupBy=agent');
    const hidden = r.groups.filter((g) => g.hidden).map((g) => g.label);
    expect(hidden).toContain('Agent B');
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    expect(r.total.hidden).toBeUndefined();
    expect(r.total.funnel.answered).toBe(32);
    expect(derivable(r)).toEqual([]);
  });

  it("an agent's total minus the shown weeks does not give the hidden week, nor a week's total minus the shown agents", async () => {
    const r = await stats('team=snow:g-Desk&groupBy=agent&interval=week');
    const a = r.groups.find((g) => g.label === 'Agent A')!;
    expect(a.series.map((p) => p.hidden === true)).toContain(true);
    expect(derivable(r)).toEqual([]);
    expect(derivable(await stats('groupBy=agent&interval=week'))).toEqual([]);
    expect(derivable(await stats('groupBy=agent'))).toEqual([]);
  });

  it("withholds a one-agent team's total, in the stats and on the dashboard", async () => {
    const r = await stats('team=snow:g-Solo&groupBy=agent');
    expect(r.total.hidden).toBe(true);
    expect(r.groups.every((g) => g.hidden)).toBe(true);
    const page = await h.api('GET', `/admin/dashboard?${range}&team=snow:g-Solo`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Figures withheld');
    expect(page.body).not.toContain('Surveys sent');
    const desk = await h.api('GET', `/admin/dashboard?${range}&team=snow:g-Desk`);
    expect(desk.body).not.toContain('Figures withheld');
    expect(desk.body.match(/Fewer than 5 answers/g)).toHaveLength(2);
  });

  it('one agent broken down by category: the small category and a cover are withheld', async () => {
    const r = await stats('agent=snow:a-A&groupBy=category&interval=week');
    expect(r.total.hidden).toBeUndefined();
    expect(r.groups.find((g) => g.label === 'network')!.hidden).toBe(true);
    expect(derivable(r)).toEqual([]);
  });

  it('follow-ups, themes, answers, recovery, dimensions and the drill-down are not available per agent', async () => {
    for (const path of ['/admin/stats/follow-ups', '/admin/stats/themes', '/admin/export/answers.csv', '/admin/stats/recovery', '/admin/stats/dimensions', '/admin/dashboard/answers']) {
      const res = await h.api('GET', `${path}?${range}&agent=snow:a-B`);
      expect(res.status, path).toBe(400);
      expect(String(res.body?.message ?? res.body)).toMatch(/agent: .*not available per agent/);
    }
  });

  it('the dashboard filtered to one small agent withholds every figure and shows nothing about their customers (issue 15 item 8)', async () => {
    const res = await h.api('GET', `/admin/dashboard?${range}&agent=snow:a-B`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Filtered to one agent');
    expect(res.body).toContain('Figures withheld');
    for (const id of ['teams-heading', 'followups-heading', 'themes-heading', 'comments-heading', 'recovery-heading', 'dimensions-heading']) expect(res.body).not.toContain(`id="${id}"`);
    // An agent with enough answers: their figures, still no follow-ups, themes or comments.
    const a = await h.api('GET', `/admin/dashboard?${range}&agent=snow:a-A`);
    expect(a.body).toContain('id="teams-heading"');
    for (const id of ['followups-heading', 'themes-heading', 'comments-heading', 'recovery-heading']) expect(a.body).not.toContain(`id="${id}"`);
  });

  it('the public scoreboard leaves out a small team, and a small week together with a cover', async () => {
    const page = await h.api('GET', '/scoreboard/snow', undefined, { token: null });
    expect(page.status).toBe(200);
    const data = JSON.parse(/<script type="application\/json" id="scoreboard-data">([\s\S]*?)<\/script>/.exec(page.body)![1]!);
    const rows = [...page.body.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(rows).toEqual(expect.arrayContaining(['Desk', 'Small']));
    expect(rows).not.toContain('Solo');
    // Small: week 2 has 3 answers and the team shows 9, so week 1 (6) must go too, or 9 − 6 would
    // give it: no week of Small is drawn (no sparkline at all).
    const small = data.teams.find((t: { label: string }) => t.label === 'Small');
    expect(small?.values.filter((v: number | null) => v !== null) ?? []).toEqual([]);
    const desk = data.teams.find((t: { label: string }) => t.label === 'Desk');
    expect(desk.values.filter((v: number | null) => v !== null)).toHaveLength(3);
    expect(page.body).toContain('<td class="num" data-label="Answers">9</td>');
  });
});
