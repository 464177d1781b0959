import type { PastSurvey } from '../analytics/history.js';
import { insertPastSurveys } from '../analytics/history.js';
import type { Db } from '../db/client.js';
import { FeedbackImporter } from '../feedback-import/service.js';
import { mirrorInitiative, type MirrorDeps } from '../initiatives/mirror.js';
import { InitiativeService } from '../initiatives/service.js';
import { seededRandom } from '../rules/sampling.js';
import { TargetStore } from '../targets/store.js';
import type { DemoTeam } from './history.js';

/**
 * "Acting on feedback" in the demo, on top of its eight weeks of history:
 * - targets: a monthly default (CSAT 80%, response rate 50%, follow-up on time 90%) and a weekly
 *   CSAT target of 85% for Network;
 * - a done initiative of End User Computing, "Docking stations at every desk" (theme "docking
 *   station"), that ran 10 to 7 weeks ago; its six weeks before are seeded here (many comments about
 *   docking stations, CSAT around 30%), its six weeks after are the demo history's (EUC improving,
 *   docking stations not mentioned), so the measured effect is clear: improved on both measures;
 * - an in-progress initiative of Network about the VPN, mirrored as a problem in the simulator;
 * - feedback from a focus group, an interview and the hallway, imported as a CSV file.
 * The connector publishes its "you said, we did" page (and links it from the survey email).
 */
const DAY = 86_400_000;
const HOUR = 3_600_000;
const ymd = (d: Date) => d.toISOString().slice(0, 10);

const DOCK_COMMENTS = ['The docking station does not detect my monitors', 'Still no docking station at my desk', 'Docking station broken again after two days', 'Waited two weeks for a docking station'];
const OTHER_BAD = ['Waited too long for the laptop', 'Printer still jams'];
const GOOD = ['Laptop replacement was smooth', 'Printer fixed in minutes', 'Sehr schnell erledigt, danke'];
const PEOPLE = ['Mia Keller', 'Noah Smith', 'Lena Braun', 'Omar Haddad', 'Sofia Rossi', 'Jonas Weber'];

/** The weeks before the demo history, for End User Computing: the "before" of the done initiative. Deterministic. */
export function beforeInitiativeHistory(opts: { connectorId: string; team: DemoTeam; from: Date; to: Date; seed?: number }): PastSurvey[] {
  const rnd = seededRandom(opts.seed ?? 7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: PastSurvey[] = [];
  let n = 0;
  for (let day = opts.from.getTime(); day < opts.to.getTime(); day += DAY) {
    const weekend = [0, 6].includes(new Date(day).getUTCDay());
    for (let i = 0; i < (weekend ? 1 : 4); i++) {
      n++;
      const sentAt = new Date(day + 8 * HOUR + rnd() * 9 * HOUR);
      const answered = rnd() < 0.6;
      const happy = rnd() < 0.3;
      const score = happy ? (rnd() < 0.6 ? 5 : 4) : pick([1, 2, 2, 3]);
      const comment = rnd() < 0.75 ? (happy ? pick(GOOD) : rnd() < 0.75 ? pick(DOCK_COMMENTS) : pick(OTHER_BAD)) : null;
      const submittedAt = new Date(sentAt.getTime() + (0.5 + rnd() * 20) * HOUR);
      const agent = opts.team.agents[Math.floor(rnd() * Math.max(1, opts.team.agents.length - 1))]!;
      const person = pick(PEOPLE);
      out.push({
        connectorId: opts.connectorId,
        ticket: { externalId: `before-${opts.connectorId}-${n}`, key: `INC${String(8_000_000 + n).padStart(7, '0')}`, title: 'Docking station request', category: 'hardware', priority: '3 - Moderate', groupId: opts.team.id, groupName: opts.team.name, assigneeId: agent.id, assigneeName: agent.name },
        requester: { email: `${person.toLowerCase().replace(/\s+/g, '.')}@example.com`, name: person },
        scale: 'csat',
        sentAt,
        deliveredAt: new Date(sentAt.getTime() + 2000),
        answer: answered ? { score, comment, submittedAt } : null,
        followUp:
          answered && score <= 2
            ? { createdAt: new Date(submittedAt.getTime() + 4 * 60_000), dueAt: new Date(submittedAt.getTime() + 24 * HOUR), closedAt: new Date(submittedAt.getTime() + (3 + rnd() * 18) * HOUR), outcome: 'Called back; a docking station was delivered the next day.' }
            : null,
      });
    }
  }
  return out;
}

export interface ActingSeed {
  db: Db;
  mirror: MirrorDeps;
  connectorId: string;
  teams: DemoTeam[];
  now: Date;
}

/** Seeds targets, initiatives and imported feedback; returns the ids made (for the banner and tests). */
export async function seedActingOnFeedback(s: ActingSeed): Promise<{ done: string; inProgress: string; mirrorKey: string | null; items: number }> {
  const team = (name: string) => s.teams.find((t) => t.name === name)!;
  const key = (name: string) => `${s.connectorId}:${team(name).id}`;
  const today = new Date(Date.UTC(s.now.getUTCFullYear(), s.now.getUTCMonth(), s.now.getUTCDate()));
  // The done initiative: started 10 weeks ago, ended 7 weeks and a day ago; 6 weeks each side.
  const end = new Date(today.getTime() - 7 * 7 * DAY - DAY);
  const start = new Date(end.getTime() - 20 * DAY);
  await insertPastSurveys(s.db, beforeInitiativeHistory({ connectorId: s.connectorId, team: team('End User Computing'), from: new Date(start.getTime() - 6 * 7 * DAY), to: start }));

  const targets = new TargetStore(s.db);
  await targets.put({ team: 'default', period: 'month', csat: 80, nps: null, responseRate: 50, followUpOnTime: 90 });
  await targets.put({ team: key('Network'), period: 'week', csat: 85, nps: null, responseRate: null, followUpOnTime: null });

  const day = (offset: number) => ymd(new Date(today.getTime() - offset * DAY));
  const csv = [
    'source,kind,date,team,category,score,scale,text,external_id',
    `Focus group Berlin office,focus_group,${day(20)},Network,network,2,csat,"The VPN drops every morning between 9 and 10",fg-berlin-1`,
    `Focus group Berlin office,focus_group,${day(20)},Network,network,,,"Wifi in the meeting rooms is too slow for video calls",fg-berlin-2`,
    `Focus group Berlin office,focus_group,${day(20)},Service Desk,access,,,"Password reset should work without calling the desk",fg-berlin-3`,
    `Interview with the finance team,interview,${day(12)},End User Computing,hardware,8,1-10,"New docking stations made a real difference",int-fin-1`,
    `Hallway conversation,hallway,${day(5)},,,,,"Nobody knows where to report VPN problems at night",`,
  ].join('\n');
  const imported = await new FeedbackImporter(s.db).importCsv(csv, { partial: false });

  const initiatives = new InitiativeService(s.db, () => s.now);
  const done = await initiatives.create({
    title: 'Docking stations at every desk',
    owner: 'Hana Sato',
    team: key('End User Computing'),
    status: 'done',
    startDate: ymd(start),
    endDate: ymd(end),
    themes: ['docking station'],
    categories: [],
    notes: 'Ordered 120 docking stations; hand-over checklist updated.',
    publicSummary: 'Every desk now has a working docking station, and a broken one is swapped the same day.',
    citedItems: imported.ids.slice(3, 4),
  });
  const inProgress = await initiatives.create({
    title: 'Stabilise the VPN in the mornings',
    owner: 'Lukas Meyer',
    team: key('Network'),
    status: 'in_progress',
    startDate: day(10),
    themes: ['vpn'],
    notes: 'Second concentrator ordered; monitoring of the morning peak.',
    publicSummary: 'We are adding a second VPN gateway for the morning peak.',
    citedItems: imported.ids.slice(0, 1),
  });
  let mirrorKey: string | null = null;
  try {
    mirrorKey = (await mirrorInitiative(s.mirror, inProgress, s.connectorId)).initiative?.key ?? null;
  } catch {
    // The demo goes on without the ITSM record; the API can create it later.
  }
  return { done: done.id, inProgress: inProgress.id, mirrorKey, items: imported.inserted + imported.unchanged + imported.updated };
}
