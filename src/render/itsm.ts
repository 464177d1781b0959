import { messagesFor, ratingOptions } from './locales.js';
import { renderTemplate, type TemplateName } from './templates.js';
import { CustomerValues, trimDoc, type ItsmDoc } from './itsm-doc.js';
import type { Scale } from '../rules/scales.js';
import { SCALES } from '../rules/scales.js';

/**
 * Text written into the ITSM for agents (English: agents share one working language). The templates are
 * plain text (no HTML escaping); customer text (comment, name, ticket title) goes in as placeholders and
 * comes out as customer spans of an ItsmDoc, which each connector escapes for its target.
 */
const SCALE_NAMES: Record<Scale, string> = { csat: 'CSAT', nps: 'NPS', ces: 'CES' };
const en = () => messagesFor('en');
const data = () => ({ messages: en(), locale: 'en' });
const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function scoreLabel(scale: Scale, score: number): string {
  return ratingOptions(en(), scale).find((o) => o.value === score)?.label ?? String(score);
}

function base(scale: Scale, score: number) {
  return { scaleName: SCALE_NAMES[scale], score, max: SCALES[scale].max, label: scoreLabel(scale, score) };
}

export function renderFeedbackNote(m: {
  scale: Scale; score: number; comment: string | null; customer: string; answeredAt: Date; answerUrl: string; marker: string;
  previousScore: number | null;
  /** This answer is at or below the connector's detractor threshold. */
  detractor: boolean;
  /** Due time of the follow-up task while one is open or being created (perhaps for an earlier answer). */
  taskDueAt: Date | null;
}): ItsmDoc {
  const c = new CustomerValues();
  return render(c, 'itsm/feedback-note.text', {
    ...base(m.scale, m.score), comment: c.put(m.comment), customer: c.put(m.customer), answeredAt: when(m.answeredAt), answerUrl: m.answerUrl, marker: m.marker,
    isUpdate: m.previousScore !== null, previousScore: m.previousScore ?? '', detractor: m.detractor, hasTask: m.taskDueAt !== null, dueAt: m.taskDueAt ? when(m.taskDueAt) : '',
  });
}

export function renderFollowUpTask(m: {
  scale: Scale; score: number; comment: string | null; customer: string; answeredAt: Date; answerUrl: string; ticketUrl: string;
  ticketKey: string; ticketTitle: string; dueAt: Date; dueHours: number; marker: string;
  /** The connector's followUp.outcomeCodes: the agent closes the task with one of them (read back by the SLA stage). */
  outcomeCodes: readonly string[];
}): { title: string; description: ItsmDoc } {
  const c = new CustomerValues();
  return {
    title: `Follow up with an unhappy customer: ${m.ticketKey} (${SCALE_NAMES[m.scale]} ${m.score}/${SCALES[m.scale].max})`,
    description: render(c, 'itsm/follow-up-task.text', {
      ...base(m.scale, m.score), ...m, comment: c.put(m.comment), customer: c.put(m.customer), ticketTitle: c.put(m.ticketTitle), answeredAt: when(m.answeredAt), dueAt: when(m.dueAt),
      firstCode: m.outcomeCodes[0] ?? '',
    }),
  };
}

export function renderEscalationNote(m: { ticketKey: string; taskKey: string | null; customer: string; dueAt: Date; marker: string }): ItsmDoc {
  const c = new CustomerValues();
  return render(c, 'itsm/escalation-note.text', { ...m, customer: c.put(m.customer), taskKey: m.taskKey ?? '', dueAt: when(m.dueAt) });
}

/** On the follow-up task, when the customer's answer crossed the detractor threshold (either way). */
export function renderRatingChangeNote(m: { scale: Scale; score: number; previousScore: number; comment: string | null; answeredAt: Date; satisfied: boolean; marker: string }): ItsmDoc {
  const c = new CustomerValues();
  return render(c, 'itsm/rating-change-note.text', { ...base(m.scale, m.score), previousScore: m.previousScore, comment: c.put(m.comment), answeredAt: when(m.answeredAt), satisfied: m.satisfied, marker: m.marker });
}

function render(c: CustomerValues, name: TemplateName, context: object): ItsmDoc {
  return trimDoc(c.toDoc(renderTemplate(name, context, data())));
}

/** The read-only page agents open from the note: every answer to one survey (customer text escaped). */
export function renderAnswersPage(m: {
  ticketKey: string; ticketTitle: string | null; customer: string; scale: Scale; followUp: string | null;
  answers: Array<{ at: Date; score: number; comment: string | null; active: boolean; flagged: boolean }>;
}): string {
  return renderTemplate('pages/answers', {
    lang: 'en', pageTitle: `Feedback on ${m.ticketKey}`, orgName: '', footer: '',
    ticketKey: m.ticketKey, ticketTitle: m.ticketTitle ?? '', customer: m.customer, scaleName: SCALE_NAMES[m.scale], min: SCALES[m.scale].min, max: SCALES[m.scale].max,
    followUp: m.followUp ?? '',
    answers: m.answers.map((a) => ({ at: when(a.at), rating: `${a.score} – ${scoreLabel(m.scale, a.score)}`, comment: a.comment ?? '', status: a.flagged ? 'flagged as a likely bot' : a.active ? 'current' : 'changed later' })),
  }, data());
}
