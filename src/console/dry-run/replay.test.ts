import { describe, expect, it } from 'vitest';
import { rulesConfigSchema } from '../../rules/index.js';
import { compare, replay, type ReplayClosure, type ReplayInput } from './replay.js';

const day = 86_400_000;
const t0 = new Date('2026-03-01T09:00:00Z').getTime();
const closure = (i: number, person: string, team = 'Service Desk', over: Partial<ReplayClosure> = {}): ReplayClosure => ({
  closureId: String(i), ticketId: `t${i}`, team, decidedAt: new Date(t0 + i * day), closedAt: new Date(t0 + i * day - 60_000),
  closeCode: 'Solved', category: 'hardware', assignmentGroupId: 'g1', assignmentGroupName: team, requesterId: `u-${person}`, resolverId: 'agent',
  personId: person, email: `${person}@example.com`, timeZone: null, ...over,
});
const input = (closures: ReplayClosure[], over: Partial<ReplayInput> = {}): ReplayInput => ({ connectorId: 'snow', closures, fixedSurveys: new Map(), ticketsSurveyedBefore: new Set(), suppressions: new Map(), ...over });

describe('rules dry run (replay)', () => {
  // Alice closes a ticket every day for 10 days; Bob once.
  const closures = [...Array.from({ length: 10 }, (_, i) => closure(i, 'alice')), closure(3, 'bob', 'Network', { closureId: 'b3', ticketId: 'tb3' })].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());

  it('replays the cooldown with the surveys it itself decided', () => {
    const r = replay(input(closures), rulesConfigSchema.parse({ cooldownDays: 14 }));
    expect(r.total).toMatchObject({ closures: 11, surveyed: 2, suppressed: { cooldown: 9 } });
    const shorter = replay(input(closures), rulesConfigSchema.parse({ cooldownDays: 3 }));
    // Days 0, 3, 6, 9 for Alice (a survey exactly 3 days ago no longer blocks), plus Bob.
    expect(shorter.total.surveyed).toBe(5);
    expect(shorter.outcomes.get('3')).toBe('survey');
    expect(shorter.outcomes.get('4')).toBe('cooldown');
  });

  it('counts before and after per team', () => {
    const c = compare(replay(input(closures), rulesConfigSchema.parse({})), replay(input(closures), rulesConfigSchema.parse({ cooldownDays: 3 })));
    expect(c.total[0]).toEqual({ label: 'surveyed', before: 2, after: 5, change: 3 });
    expect(c.total.find((r) => r.label === 'suppressed: cooldown')).toEqual({ label: 'suppressed: cooldown', before: 9, after: 6, change: -3 });
    expect(c.teams).toEqual([
      { team: 'Network', closures: 1, surveyedBefore: 1, surveyedAfter: 1, change: 0, suppressedBefore: 0, suppressedAfter: 0, reasons: [] },
      { team: 'Service Desk', closures: 10, surveyedBefore: 1, surveyedAfter: 4, change: 3, suppressedBefore: 9, suppressedAfter: 6, reasons: [{ reason: 'cooldown', before: 9, after: 6 }] },
    ]);
    expect(c.changedClosures).toBe(3);
  });

  it("keeps other connectors' surveys and suppressions as they were at each decision", () => {
    const fixed = new Map([['bob', [new Date(t0 + 2 * day)]]]);
    const supp = new Map([['alice@example.com', [{ reason: 'unsubscribed' as const, from: new Date(t0 + 4.5 * day), to: new Date(t0 + 7.5 * day) }]]]);
    const r = replay(input(closures, { fixedSurveys: fixed, suppressions: supp }), rulesConfigSchema.parse({ cooldownDays: 0, maxSurveysPer30Days: 0 }));
    expect(r.outcomes.get('b3')).toBe('survey'); // cooldown 0: the other connector's survey does not block
    expect([5, 6, 7].map((i) => r.outcomes.get(String(i)))).toEqual(['suppression_list', 'suppression_list', 'suppression_list']);
    expect(r.outcomes.get('8')).toBe('survey');
    const withCooldown = replay(input(closures, { fixedSurveys: fixed }), rulesConfigSchema.parse({ cooldownDays: 14 }));
    expect(withCooldown.outcomes.get('b3')).toBe('cooldown');
  });

  it('applies exclusions and once-per-ticket like the live rules', () => {
    const r = replay(input([closure(1, 'carol', 'Security', { category: 'Password Reset' }), closure(2, 'dan', 'Desk', { ticketId: 'seen' })], { ticketsSurveyedBefore: new Set(['seen']) }), rulesConfigSchema.parse({ exclude: { categories: ['password reset'] } }));
    expect([...r.outcomes.values()]).toEqual(['excluded_category', 'already_surveyed_ticket']);
  });
});
