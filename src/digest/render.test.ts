import { describe, expect, it } from 'vitest';
import { figuresFrom } from '../analytics/figures.js';
import { hiddenFigures } from '../analytics/figures.js';
import type { DigestContent } from './content.js';
import { weekStarting } from './period.js';
import { renderDigest } from './render.js';

const HOSTILE = '<img src=x onerror=alert(1)> "quoted" & {{x}}\nsecond line';
const cells = (top: number, low: number) => [
  { scale: 'csat' as const, score: 5, detractor: false, surveys: top, delivered: 0 },
  { scale: 'csat' as const, score: 1, detractor: true, surveys: low, delivered: 0 },
  { scale: 'csat' as const, score: null, detractor: false, surveys: 4, delivered: 0 },
];

function content(over: Partial<DigestContent> = {}): DigestContent {
  const week = weekStarting('2026-11-16', 'Europe/Berlin')!;
  const figures = figuresFrom(cells(8, 2), { deliveryTracked: false });
  return {
    connector: { id: 'snow', name: 'ServiceNow prod' },
    team: { key: 'snow:g1', label: 'Service Desk <b>' },
    week,
    minGroupSize: 5,
    withheld: false,
    scale: 'csat',
    figures,
    previous: figuresFrom(cells(6, 4), { deliveryTracked: false }),
    trend: [{ start: '2026-11-09', figures: null }, { start: '2026-11-16', figures }],
    targets: [{ metric: 'csat', target: 0.85, value: 0.8, status: 'at_risk' }],
    comments: [{ ticket: 'INC001', ticketUrl: 'https://acme.service-now.com/nav_to.do?uri=incident.do%3Fsys_id%3D1', scale: 'csat', score: 1, detractor: true, text: HOSTILE, answeredAt: new Date('2026-11-17T10:00:00Z') }],
    moreComments: 3,
    themes: [{ term: 'vpn drops', count: 2, share: 0.5, previousCount: 0, previousShare: 0 }],
    followUps: { open: 2, overdueNow: 1, items: [{ ticket: 'INC002', ticketUrl: 'https://acme.service-now.com/x', task: 'TASK9', dueAt: new Date('2026-11-20T10:00:00Z'), overdue: true }] },
    initiatives: [{ title: 'Faster VPN onboarding', owner: 'Priya', status: 'in_progress', startedOn: '2026-11-01', endsOn: null, addresses: ['vpn'], url: null }],
    dashboardUrl: 'https://feedback.example.com/admin/dashboard?team=snow%3Ag1',
    ...over,
  };
}

describe('digest email', () => {
  it('English: score, margin, change, target, trend, comments escaped, themes, follow-ups, initiatives', () => {
    const d = renderDigest(content(), 'en');
    expect(d.subject).toBe('Customer feedback for Service Desk <b>: week of Nov 16, 2026');
    expect(d.html).toContain('CSAT this week: 80%');
    expect(d.html).toContain('95% range 49% to 94%, from 10 answers');
    expect(d.html).toContain('Change against the week before: 60% → 80%');
    expect(d.html).toContain('CSAT: 80% against a target of 85% – at risk');
    expect(d.html).toContain('withheld'); // the hidden trend week
    expect(d.html).not.toContain('<img src=x');
    expect(d.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;quoted&quot; &amp; {{x}}');
    expect(d.html).toContain('Service Desk &lt;b&gt;');
    expect(d.html).toContain('“vpn drops”: 2 comments (50%; the week before 0%)');
    expect(d.html).toContain('2 open, 1 overdue now');
    expect(d.html).toContain('Faster VPN onboarding');
    expect(d.html).toContain('3 more comments are in the dashboard.');
    // The text part is plain text: the comment verbatim, no entities.
    expect(d.text).toContain(`"${HOSTILE}"`);
    expect(d.text).not.toContain('&amp;');
    expect(d.text).toContain('https://acme.service-now.com/nav_to.do?uri=incident.do%3Fsys_id%3D1');
  });

  it('German, and a withheld week shows neither figures nor comments', () => {
    const d = renderDigest(content({ withheld: true, figures: hiddenFigures(), previous: null, comments: [], moreComments: 0, themes: [], targets: [] }), 'de-DE');
    expect(d.locale).toBe('de');
    expect(d.subject).toBe('Kundenfeedback für Service Desk <b>: Woche vom 16.11.2026');
    expect(d.html).toContain('weniger als 5');
    expect(d.html).not.toContain('Kommentare dieser Woche');
    expect(d.text).not.toContain(HOSTILE);
    expect(d.text).toContain('1 davon jetzt überfällig');
  });
});
