import { describe, expect, it } from 'vitest';
import { assembleTargets, type PeriodData, type TeamCounts } from './evaluate.js';
import { periodContaining, previousPeriod } from './periods.js';
import type { Target } from './schema.js';

const counts = (label: string, c: Partial<TeamCounts>): TeamCounts => ({ label, csatN: 0, csatTop: 0, npsN: 0, promoters: 0, npsDetractors: 0, sent: 0, answered: 0, followUpsJudged: 0, followUpsOnTime: 0, ...c });
const target = (t: Partial<Target> & { team: string }): Target => ({ teamLabel: null, period: 'month', csat: null, nps: null, responseRate: null, followUpOnTime: null, ...t });

describe('teams against their targets (pure)', () => {
  const date = new Date('2026-03-20T00:00:00Z');
  const current = periodContaining(date, 'month');
  const data = new Map<'month', PeriodData>([
    [
      'month',
      {
        current,
        previous: previousPeriod(current, 'month'),
        counts: {
          current: new Map([
            ['snow:sd', counts('Service Desk', { csatN: 50, csatTop: 40, sent: 100, answered: 50, followUpsJudged: 10, followUpsOnTime: 9 })],
            ['snow:net', counts('Network', { csatN: 25, csatTop: 17, sent: 60, answered: 25 })],
            ['snow:tiny', counts('Tiny', { csatN: 3, csatTop: 3, sent: 4, answered: 3 })],
          ]),
          previous: new Map([['snow:sd', counts('Service Desk', { csatN: 40, csatTop: 30, sent: 90, answered: 40 })]]),
        },
      },
    ],
  ]);

  it('judges each team against its own target or the default, worst first, with the change against the previous month', () => {
    const r = assembleTargets([target({ team: 'default', csat: 70, responseRate: 40 }), target({ team: 'snow:net', csat: 85 })], data, { date, today: date, minGroupSize: 5, scope: {} });
    expect(r.teams.map((t) => [t.team.label, t.targetOf, t.status])).toEqual([
      ['Network', 'team', 'missed'],
      ['Service Desk', 'default', 'at_risk'],
      ['Tiny', 'default', 'too_few'],
    ]);
    const sd = r.teams.find((t) => t.team.key === 'snow:sd')!;
    // CSAT 40/50 = 80% (Wilson 66.96–88.76), target 70: at risk; previous 30/40 = 75%: +5 points.
    expect(sd.metrics[0]).toEqual({ metric: 'csat', target: 70, current: { value: 80, low: 66.96, high: 88.76, n: 50 }, previous: { value: 75, low: 59.81, high: 85.81, n: 40 }, change: 5, status: 'at_risk' });
    // Response rate 50/100 = 50% (40.38–59.62), target 40: met — even the lower bound reaches it.
    expect(sd.metrics[1]).toMatchObject({ metric: 'responseRate', current: { value: 50, low: 40.38, high: 59.62, n: 100 }, status: 'met' });
    expect(sd.current).toEqual({ from: '2026-03-01', to: '2026-03-31', days: 31, daysElapsed: 20, complete: false });
    expect(sd.previous).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // Network's own target: 17/25 = 68% (48.41–82.79) against 85: missed. No previous month: no change.
    expect(r.teams[0]!.metrics).toEqual([{ metric: 'csat', target: 85, current: { value: 68, low: 48.41, high: 82.79, n: 25 }, previous: null, change: null, status: 'missed' }]);
    // Fewer CSAT answers than the minimum: nothing shown, nothing judged.
    expect(r.teams[2]!.metrics.map((m) => [m.metric, m.current, m.status])).toEqual([
      ['csat', null, 'too_few'],
      ['responseRate', null, 'too_few'],
    ]);
  });

  it('without a default only teams with their own target are listed; a scope keeps to its connector and team', () => {
    const r = assembleTargets([target({ team: 'snow:net', csat: 60 })], data, { date, today: date, minGroupSize: 5, scope: {} });
    expect(r.teams.map((t) => [t.team.key, t.status])).toEqual([['snow:net', 'at_risk']]);
    expect(assembleTargets([target({ team: 'default', csat: 60 })], data, { date, today: date, minGroupSize: 5, scope: { team: 'snow:sd' } }).teams.map((t) => t.team.key)).toEqual(['snow:sd']);
    expect(assembleTargets([target({ team: 'default', csat: 60 })], data, { date, today: date, minGroupSize: 5, scope: { connectorId: 'jira' } }).teams).toEqual([]);
  });
});
