import type { PastSurvey } from '../analytics/history.js';
import type { WhatMattered } from '../db/schema.js';
import { seededRandom } from '../rules/sampling.js';

/**
 * Eight weeks of believable history for the demo's dashboard: three teams with their own trend
 * (Service Desk steady and good, Network getting worse, End User Computing getting better), comments
 * in English and German with team-specific and systemic themes, and a follow-up for every detractor.
 * Deterministic (seeded), so the demo looks the same on every machine.
 */
export interface DemoTeam {
  id: string;
  name: string;
  agents: { id: string; name: string }[];
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

// Per team: a happy comment pool, an unhappy one, and the chance that an answer is top-two-box over time (start → end).
const PROFILES: Record<string, { titles: string[]; good: string[]; bad: string[]; topTwo: [number, number]; categories: string[] }> = {
  'Service Desk': {
    titles: ['Password reset', 'Outlook keeps asking for password', 'Access to shared drive'],
    good: ['Quick password reset, thank you', 'Very friendly and fast', 'Sehr schnell erledigt, danke', 'Solved on the first call'],
    bad: ['Waited too long for an answer', 'Password reset took two days', 'No update for days'],
    topTwo: [0.86, 0.88],
    categories: ['access', 'software'],
  },
  Network: {
    titles: ['VPN drops every hour', 'Wifi slow in meeting room', 'Cannot reach intranet'],
    good: ['VPN works again', 'WLAN ist wieder stabil'],
    bad: ['VPN drops every hour, still not fixed', 'VPN still disconnects', 'Wifi is slow on the third floor', 'VPN bricht ständig ab', 'Waited too long, no update', 'Still not fixed after reopening'],
    topTwo: [0.85, 0.45],
    categories: ['network'],
  },
  'End User Computing': {
    titles: ['Laptop will not boot', 'Printer on 3rd floor jammed', 'New monitor request'],
    good: ['New laptop arrived quickly', 'Printer fixed in minutes', 'Laptop replacement was smooth', 'Drucker funktioniert wieder, super'],
    bad: ['Laptop replacement took weeks', 'Printer still jams', 'Waited too long for the laptop', 'Der Drucker ist immer noch kaputt'],
    topTwo: [0.45, 0.88],
    categories: ['hardware'],
  },
};
// Close notes as agents write them: an outcome code first (followUp.outcomeCodes), then what happened.
const OUTCOMES: { code: string; text: string }[] = [
  { code: 'explained', text: 'explained – called the customer, apologised and explained the delay; customer satisfied.' },
  { code: 'resolved', text: 'resolved – root cause found (VPN concentrator overload); capacity added, customer informed.' },
  { code: 'resolved', text: 'resolved: replaced the printer fuser; customer confirmed it works.' },
  { code: 'could_not_reach', text: 'could not reach – two calls and an email, no answer.' },
  { code: 'no_action', text: 'no_action – duplicate of an earlier complaint, already handled.' },
];
// What mattered most, by how the answer went: detractors name what failed them, promoters what pleased them.
const MATTERED: Record<string, { unhappy: WhatMattered[]; happy: WhatMattered[] }> = {
  'Service Desk': { unhappy: ['responsiveness', 'responsiveness', 'empathy'], happy: ['empathy', 'responsiveness', 'assurance'] },
  Network: { unhappy: ['reliability', 'reliability', 'responsiveness'], happy: ['reliability', 'assurance'] },
  'End User Computing': { unhappy: ['responsiveness', 'reliability', 'other'], happy: ['assurance', 'empathy', 'responsiveness'] },
};
const PEOPLE = ['Mia Keller', 'Noah Smith', 'Lena Braun', 'Omar Haddad', 'Sofia Rossi', 'Jonas Weber', 'Aiko Tanaka', 'Liam Brown'];

export function demoHistory(opts: { connectorId: string; teams: DemoTeam[]; now: Date; weeks?: number; seed?: number }): PastSurvey[] {
  const rnd = seededRandom(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  // Outcome codes and "what mattered" draw from their own sequence, so the scores stay as they were.
  const more = seededRandom((opts.seed ?? 42) + 1);
  const pickMore = <T>(xs: readonly T[]) => xs[Math.floor(more() * xs.length)]!;
  const weeks = opts.weeks ?? 8;
  const start = opts.now.getTime() - weeks * 7 * DAY;
  const out: PastSurvey[] = [];
  let n = 0;
  // History stops two days ago: every follow-up in it is settled, and the live demo continues from today.
  for (let day = start; day < opts.now.getTime() - 2 * DAY; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const perTeam = weekday === 0 || weekday === 6 ? 1 : 4;
    const progress = (day - start) / (weeks * 7 * DAY);
    for (const team of opts.teams) {
      const profile = PROFILES[team.name] ?? PROFILES['Service Desk']!;
      for (let i = 0; i < perTeam; i++) {
        n++;
        const sentAt = new Date(day + 8 * HOUR + rnd() * 9 * HOUR);
        // The last agent of each team answers for few tickets: the dashboard shows them as withheld.
        const agent = rnd() < 0.04 ? team.agents[team.agents.length - 1]! : team.agents[Math.floor(rnd() * Math.max(1, team.agents.length - 1))]!;
        const person = pick(PEOPLE);
        const answered = rnd() < 0.55;
        const topTwoChance = profile.topTwo[0] + (profile.topTwo[1] - profile.topTwo[0]) * progress;
        const score = rnd() < topTwoChance ? (rnd() < 0.6 ? 5 : 4) : pick([1, 2, 2, 3, 3]);
        const submittedAt = new Date(sentAt.getTime() + (0.2 + rnd() * 30) * HOUR);
        const comment = rnd() < 0.6 ? (score >= 4 ? pick(profile.good) : pick(profile.bad)) : null;
        const detractor = answered && score <= 2;
        const createdAt = new Date(submittedAt.getTime() + (rnd() < 0.9 ? 1 + rnd() * 6 : 20 + rnd() * 40) * 60_000);
        const dueAt = new Date(submittedAt.getTime() + 24 * HOUR);
        const closedAt = new Date(submittedAt.getTime() + (rnd() < 0.8 ? 2 + rnd() * 20 : 26 + rnd() * 20) * HOUR);
        const late = closedAt > dueAt;
        const outcome = pickMore(OUTCOMES);
        const mattered = MATTERED[team.name] ?? MATTERED['Service Desk']!;
        // About two in three answer the optional second question.
        const whatMattered = more() < 0.65 ? pickMore(score >= 4 ? mattered.happy : mattered.unhappy) : null;
        out.push({
          connectorId: opts.connectorId,
          ticket: {
            externalId: `history-${opts.connectorId}-${n}`,
            key: `INC${String(9_000_000 + n).padStart(7, '0')}`,
            title: pick(profile.titles),
            category: pick(profile.categories),
            priority: pick(['2 - High', '3 - Moderate', '3 - Moderate', '4 - Low']),
            groupId: team.id,
            groupName: team.name,
            assigneeId: agent.id,
            assigneeName: agent.name,
          },
          requester: { email: `${person.toLowerCase().replace(/\s+/g, '.')}@example.com`, name: person },
          scale: 'csat',
          sentAt,
          deliveredAt: rnd() < 0.97 ? new Date(sentAt.getTime() + 2000) : null,
          answer: answered ? { score, comment, submittedAt, whatMattered } : null,
          followUp: detractor
            ? { createdAt, dueAt, closedAt, outcome: outcome.text, outcomeCode: outcome.code, overdueAt: late ? dueAt : null, escalatedAt: late ? new Date(dueAt.getTime() + 60_000) : null }
            : null,
        });
      }
    }
  }
  return out;
}
