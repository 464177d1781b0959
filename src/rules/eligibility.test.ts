import { describe, expect, it } from 'vitest';
import {
  checkAlreadySurveyedTicket,
  checkCap,
  checkCooldown,
  checkDoNotSurvey,
  checkExcludedCategory,
  checkExcludedCloseCode,
  checkExcludedDomain,
  checkExcludedGroup,
  checkNoEmail,
  checkRequesterIsResolver,
  checkSampling,
  checkStaleClosure,
  checkSuppressionList,
  decide,
  type DecisionInput,
} from './eligibility.js';
import { rulesConfigSchema } from './rules-config.js';
import { seededRandom } from './sampling.js';

const NOW = new Date('2026-03-04T10:00:00Z'); // a Wednesday
const SEC = 1000;
const HOUR = 3600 * SEC;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const EMAIL = 'jane.doe@it.example.com';

type Overrides = {
  closure?: Partial<DecisionInput['closure']>;
  requester?: Partial<DecisionInput['requester']>;
  history?: Partial<DecisionInput['history']>;
  rules?: Record<string, unknown>;
  sampleDraw?: number;
  now?: Date;
};

/** An input that is eligible under the default rules; each test changes one thing. */
function input(o: Overrides = {}): DecisionInput {
  return {
    now: o.now ?? NOW,
    closure: {
      closedAt: ago(HOUR),
      closeCode: 'Solved (Permanently)',
      category: 'Software',
      assignmentGroupId: 'a1b2c3',
      assignmentGroupName: 'Service Desk',
      requesterId: 'user-1',
      resolverId: 'agent-9',
      ...o.closure,
    },
    requester: { email: EMAIL, timeZone: 'Europe/Berlin', ...o.requester },
    history: { surveyedAt: [], ticketAlreadySurveyed: false, suppression: null, ...o.history },
    sampleDraw: o.sampleDraw ?? 0.5,
    rules: rulesConfigSchema.parse(o.rules ?? {}),
  };
}

describe('decide: eligible', () => {
  it('surveys now when nothing applies and there is no send window', () => {
    expect(decide(input())).toEqual({ outcome: 'survey', reason: 'eligible', sendAt: NOW, detail: 'eligible; send now' });
  });

  it("holds the survey for the send window in the requester's zone", () => {
    const d = decide(
      input({
        requester: { timeZone: 'America/New_York' }, // 05:00 EST
        rules: { sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', defaultTimeZone: 'Europe/Berlin' } },
      }),
    );
    expect(d.outcome).toBe('survey');
    expect(d.outcome === 'survey' && d.sendAt.toISOString()).toBe('2026-03-04T14:00:00.000Z');
    expect(d.detail).toBe('eligible; held for the send window until 2026-03-04T14:00:00.000Z');
  });
});

describe('already_surveyed_ticket', () => {
  it('blocks a re-closed ticket when oncePerTicket', () => {
    expect(checkAlreadySurveyedTicket(input({ history: { ticketAlreadySurveyed: true } }))?.reason).toBe(
      'already_surveyed_ticket',
    );
  });
  it('allows it when oncePerTicket is false', () => {
    expect(checkAlreadySurveyedTicket(input({ history: { ticketAlreadySurveyed: true }, rules: { oncePerTicket: false } }))).toBeNull();
    expect(decide(input({ history: { ticketAlreadySurveyed: true }, rules: { oncePerTicket: false } })).outcome).toBe('survey');
  });
});

describe('no_email', () => {
  it.each([[null], [''], ['not an address']])('suppresses %j', (email) => {
    expect(checkNoEmail(input({ requester: { email } }))?.reason).toBe('no_email');
  });
  it('passes a real address', () => {
    expect(checkNoEmail(input())).toBeNull();
  });
});

describe('suppression_list', () => {
  it.each([
    ['unsubscribed', 'recipient unsubscribed'],
    ['bounced', 'address bounced'],
    ['complained', 'complained'],
    ['manual', 'manually'],
  ] as const)('names the kind: %s', (suppression, words) => {
    const hit = checkSuppressionList(input({ history: { suppression } }));
    expect(hit?.reason).toBe('suppression_list');
    expect(hit?.detail).toContain(words);
  });
  it('passes when not suppressed', () => {
    expect(checkSuppressionList(input())).toBeNull();
  });
});

describe('do_not_survey', () => {
  it('matches regardless of case and display-name form in the config', () => {
    const rules = { exclude: { emails: ['Jane Doe <JANE.DOE@IT.EXAMPLE.COM>'] } };
    expect(checkDoNotSurvey(input({ rules }))?.reason).toBe('do_not_survey');
  });
  it('does not match another address', () => {
    expect(checkDoNotSurvey(input({ rules: { exclude: { emails: ['john@it.example.com'] } } }))).toBeNull();
  });
});

describe('excluded_domain', () => {
  it.each([['it.example.com'], ['example.com'], ['EXAMPLE.com']])('%s excludes jane@it.example.com', (domain) => {
    expect(checkExcludedDomain(input({ rules: { exclude: { domains: [domain] } } }))?.reason).toBe('excluded_domain');
  });
  it.each([['ample.com'], ['xample.com'], ['sub.it.example.com'], ['example.org']])(
    '%s does not exclude jane@it.example.com',
    (domain) => {
      expect(checkExcludedDomain(input({ rules: { exclude: { domains: [domain] } } }))).toBeNull();
    },
  );
  it('a bare suffix is not a parent domain (example.com does not exclude myexample.com)', () => {
    const i = input({ requester: { email: 'a@myexample.com' }, rules: { exclude: { domains: ['example.com'] } } });
    expect(checkExcludedDomain(i)).toBeNull();
  });
});

describe('excluded_category / excluded_close_code / excluded_group', () => {
  it('category matches case-insensitively and trimmed', () => {
    const rules = { exclude: { categories: ['software'] } };
    expect(checkExcludedCategory(input({ rules, closure: { category: '  SOFTWARE ' } }))?.reason).toBe('excluded_category');
    expect(checkExcludedCategory(input({ rules, closure: { category: 'Hardware' } }))).toBeNull();
    expect(checkExcludedCategory(input({ rules, closure: { category: null } }))).toBeNull();
  });

  it.each([['Duplicate'], ['duplicate'], ['Canceled'], ['CANCELLED'], ['Auto-closed'], [' auto closed ']])(
    'default close codes exclude %j',
    (closeCode) => {
      expect(checkExcludedCloseCode(input({ closure: { closeCode } }))?.reason).toBe('excluded_close_code');
    },
  );
  it('other close codes, null and an emptied list pass', () => {
    expect(checkExcludedCloseCode(input({ closure: { closeCode: 'Solved (Permanently)' } }))).toBeNull();
    expect(checkExcludedCloseCode(input({ closure: { closeCode: null } }))).toBeNull();
    expect(checkExcludedCloseCode(input({ closure: { closeCode: 'Duplicate' }, rules: { exclude: { closeCodes: [] } } }))).toBeNull();
  });

  it('group entries match the id or the name, case-insensitively', () => {
    const byId = { exclude: { assignmentGroups: ['A1B2C3'] } };
    const byName = { exclude: { assignmentGroups: ['service desk'] } };
    expect(checkExcludedGroup(input({ rules: byId }))?.reason).toBe('excluded_group');
    expect(checkExcludedGroup(input({ rules: byName }))?.reason).toBe('excluded_group');
    expect(checkExcludedGroup(input({ rules: byName, closure: { assignmentGroupName: 'Network' } }))).toBeNull();
  });
  it('empty ITSM values never match', () => {
    const rules = { exclude: { assignmentGroups: ['Network'] } };
    expect(checkExcludedGroup(input({ rules, closure: { assignmentGroupId: '', assignmentGroupName: null } }))).toBeNull();
  });
});

describe('requester_is_resolver', () => {
  it('suppresses when both ids are present and equal', () => {
    expect(checkRequesterIsResolver(input({ closure: { resolverId: 'user-1' } }))?.reason).toBe('requester_is_resolver');
  });
  it.each([
    [null, null],
    ['', ''],
    ['user-1', null],
    [null, 'user-1'],
    ['user-1', 'agent-9'],
  ])('passes for requester %j / resolver %j', (requesterId, resolverId) => {
    expect(checkRequesterIsResolver(input({ closure: { requesterId, resolverId } }))).toBeNull();
  });
  it('can be turned off', () => {
    expect(checkRequesterIsResolver(input({ closure: { resolverId: 'user-1' }, rules: { excludeRequesterIsResolver: false } }))).toBeNull();
  });
});

describe('stale_closure', () => {
  it('exactly 72 h old is still surveyed; one second more is stale', () => {
    expect(checkStaleClosure(input({ closure: { closedAt: ago(72 * HOUR) } }))).toBeNull();
    const hit = checkStaleClosure(input({ closure: { closedAt: ago(72 * HOUR + SEC) } }));
    expect(hit).toEqual({ reason: 'stale_closure', detail: 'closed 3 days ago; surveys are only sent within 72 hours of closure' });
  });
  it('0 disables the check', () => {
    expect(checkStaleClosure(input({ closure: { closedAt: ago(400 * DAY) }, rules: { maxClosureAgeHours: 0 } }))).toBeNull();
  });
  it('a closure stamped slightly in the future is not stale', () => {
    expect(checkStaleClosure(input({ closure: { closedAt: new Date(NOW.getTime() + 5 * SEC) } }))).toBeNull();
  });
});

describe('cooldown (14 days = 14 × 86 400 s)', () => {
  it('13 d 23 h 59 m 59 s ago blocks', () => {
    const hit = checkCooldown(input({ history: { surveyedAt: [ago(14 * DAY - SEC)] } }));
    expect(hit).toEqual({ reason: 'cooldown', detail: 'surveyed 13 days ago; cooldown is 14 days' });
  });
  it('exactly 14 d ago does not block', () => {
    expect(checkCooldown(input({ history: { surveyedAt: [ago(14 * DAY)] } }))).toBeNull();
  });
  it('reports the most recent survey regardless of order', () => {
    const hit = checkCooldown(input({ history: { surveyedAt: [ago(10 * DAY), ago(3 * DAY), ago(40 * DAY)] } }));
    expect(hit?.detail).toBe('surveyed 3 days ago; cooldown is 14 days');
  });
  it('a survey stamped in the future (clock skew) blocks', () => {
    expect(checkCooldown(input({ history: { surveyedAt: [new Date(NOW.getTime() + SEC)] } }))?.reason).toBe('cooldown');
  });
  it('0 disables it', () => {
    expect(checkCooldown(input({ history: { surveyedAt: [ago(SEC)] }, rules: { cooldownDays: 0 } }))).toBeNull();
  });
});

describe('cap (rolling 30 days)', () => {
  const rules = { cooldownDays: 0, maxSurveysPer30Days: 2 };
  it('counts only surveys less than 30 days old', () => {
    const inside = [ago(29 * DAY), ago(30 * DAY - SEC)];
    expect(checkCap(input({ rules, history: { surveyedAt: inside } }))).toEqual({
      reason: 'cap',
      detail: '2 surveys in the last 30 days; cap is 2',
    });
    const oneOut = [ago(29 * DAY), ago(30 * DAY)];
    expect(checkCap(input({ rules, history: { surveyedAt: oneOut } }))).toBeNull();
    const old = [ago(31 * DAY), ago(45 * DAY), ago(60 * DAY)];
    expect(checkCap(input({ rules, history: { surveyedAt: old } }))).toBeNull();
  });
  it('below the cap passes', () => {
    expect(checkCap(input({ rules, history: { surveyedAt: [ago(DAY)] } }))).toBeNull();
  });
  it('0 means unlimited', () => {
    const many = Array.from({ length: 20 }, (_, i) => ago((i + 1) * HOUR));
    expect(checkCap(input({ rules: { ...rules, maxSurveysPer30Days: 0 }, history: { surveyedAt: many } }))).toBeNull();
  });
  it('default cap of 4 with the cooldown satisfied', () => {
    const four = [ago(15 * DAY), ago(20 * DAY), ago(25 * DAY), ago(29 * DAY)];
    expect(decide(input({ history: { surveyedAt: four } })).reason).toBe('cap');
    expect(decide(input({ history: { surveyedAt: four.slice(1) } })).reason).toBe('eligible');
  });
});

describe('not_sampled', () => {
  const rate = (percent: number, draws: number) => {
    const rnd = seededRandom(percent * 1000 + 1);
    let sampled = 0;
    for (let i = 0; i < draws; i++) {
      if (checkSampling(input({ sampleDraw: rnd(), rules: { samplingPercent: percent } })) === null) sampled++;
    }
    return (sampled / draws) * 100;
  };
  it.each([[10], [25], [33.3], [50], [90]])('%s%% over 10,000 draws lands within ±2 points', (percent) => {
    expect(Math.abs(rate(percent, 10_000) - percent)).toBeLessThanOrEqual(2);
  });
  it('0% never and 100% always samples, exactly', () => {
    expect(rate(0, 10_000)).toBe(0);
    expect(rate(100, 10_000)).toBe(100);
    expect(checkSampling(input({ sampleDraw: 0, rules: { samplingPercent: 0 } }))?.reason).toBe('not_sampled');
    expect(checkSampling(input({ sampleDraw: 0.9999999999, rules: { samplingPercent: 100 } }))).toBeNull();
  });
  it('boundary: draw equal to the fraction is not sampled', () => {
    expect(checkSampling(input({ sampleDraw: 0.25, rules: { samplingPercent: 25 } }))?.reason).toBe('not_sampled');
    expect(checkSampling(input({ sampleDraw: 0.2499, rules: { samplingPercent: 25 } }))).toBeNull();
  });
});

describe('rule order: the first hit wins', () => {
  // Every rule fires; removing the winner each time must reveal the next reason in order.
  const all: Overrides = {
    now: NOW,
    requester: { email: null },
    closure: {
      closedAt: ago(100 * HOUR),
      closeCode: 'Duplicate',
      category: 'Software',
      assignmentGroupId: 'a1b2c3',
      requesterId: 'user-1',
      resolverId: 'user-1',
    },
    history: { ticketAlreadySurveyed: true, suppression: 'bounced', surveyedAt: [ago(DAY), ago(2 * DAY), ago(3 * DAY), ago(4 * DAY)] },
    sampleDraw: 0.99,
    rules: {
      samplingPercent: 50,
      exclude: { emails: [EMAIL], domains: ['example.com'], categories: ['software'], assignmentGroups: ['a1b2c3'] },
    },
  };
  const peel: Array<[string, (o: Overrides) => Overrides]> = [
    ['already_surveyed_ticket', (o) => ({ ...o, history: { ...o.history, ticketAlreadySurveyed: false } })],
    ['no_email', (o) => ({ ...o, requester: { email: EMAIL } })],
    ['suppression_list', (o) => ({ ...o, history: { ...o.history, suppression: null } })],
    ['do_not_survey', (o) => ({ ...o, rules: { ...o.rules, exclude: { ...excl(o), emails: [] } } })],
    ['excluded_domain', (o) => ({ ...o, rules: { ...o.rules, exclude: { ...excl(o), domains: [] } } })],
    ['excluded_category', (o) => ({ ...o, rules: { ...o.rules, exclude: { ...excl(o), categories: [] } } })],
    ['excluded_close_code', (o) => ({ ...o, closure: { ...o.closure, closeCode: 'Solved' } })],
    ['excluded_group', (o) => ({ ...o, rules: { ...o.rules, exclude: { ...excl(o), assignmentGroups: [] } } })],
    ['requester_is_resolver', (o) => ({ ...o, closure: { ...o.closure, resolverId: 'agent-9' } })],
    ['stale_closure', (o) => ({ ...o, closure: { ...o.closure, closedAt: ago(HOUR) } })],
    ['cooldown', (o) => ({ ...o, rules: { ...o.rules, cooldownDays: 0 } })],
    ['cap', (o) => ({ ...o, history: { ...o.history, surveyedAt: [] } })],
    ['not_sampled', (o) => ({ ...o, sampleDraw: 0.01 })],
  ];
  function excl(o: Overrides): Record<string, unknown> {
    return (o.rules?.['exclude'] ?? {}) as Record<string, unknown>;
  }

  it('reports each reason in the documented order', () => {
    let o = all;
    const seen: string[] = [];
    for (const [, remove] of peel) {
      seen.push(decide(input(o)).reason);
      o = remove(o);
    }
    expect(seen).toEqual(peel.map(([r]) => r));
    expect(decide(input(o)).outcome).toBe('survey');
  });

  it('no_email beats cooldown, cap and sampling', () => {
    const d = decide(
      input({ requester: { email: null }, history: { surveyedAt: [ago(DAY), ago(2 * DAY), ago(3 * DAY), ago(4 * DAY)] }, sampleDraw: 0.99, rules: { samplingPercent: 1 } }),
    );
    expect(d.reason).toBe('no_email');
  });
});

describe('details never leak the email address', () => {
  it('holds for every outcome', () => {
    const cases: Overrides[] = [
      {},
      { history: { suppression: 'complained' } },
      { rules: { exclude: { emails: [EMAIL] } } },
      { rules: { exclude: { domains: ['it.example.com'] } } },
      { history: { surveyedAt: [ago(DAY)] } },
      { rules: { cooldownDays: 0, maxSurveysPer30Days: 1 }, history: { surveyedAt: [ago(DAY)] } },
      { sampleDraw: 0.9, rules: { samplingPercent: 10 } },
    ];
    const reasons = cases.map((c) => {
      const d = decide(input(c));
      expect(d.detail.toLowerCase()).not.toContain('jane.doe');
      expect(d.detail.length).toBeGreaterThan(0);
      return d.reason;
    });
    expect(reasons).toEqual(['eligible', 'suppression_list', 'do_not_survey', 'excluded_domain', 'cooldown', 'cap', 'not_sampled']);
  });
});
