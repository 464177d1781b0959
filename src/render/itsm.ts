import { messagesFor, ratingOptions } from './locales.js';
import { renderTemplate } from './templates.js';
import type { Scale } from '../rules/scales.js';
import { SCALES } from '../rules/scales.js';

/**
 * Text written into the ITSM for agents (English: agents share one working language). Customer text
 * arrives already neutralised by the connector; the templates are plain text (no HTML escaping).
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
  previousScore: number | null; detractorDueAt: Date | null;
}): string {
  return renderTemplate('itsm/feedback-note.text', {
    ...base(m.scale, m.score), comment: m.comment, customer: m.customer, answeredAt: when(m.answeredAt), answerUrl: m.answerUrl, marker: m.marker,
    isUpdate: m.previousScore !== null, previousScore: m.previousScore ?? '', detractor: m.detractorDueAt !== null, dueAt: m.detractorDueAt ? when(m.detractorDueAt) : '',
  }, data()).trim();
}

export function renderFollowUpTask(m: {
  scale: Scale; score: number; comment: string | null; customer: string; answeredAt: Date; answerUrl: string; ticketUrl: string;
  ticketKey: string; ticketTitle: string; dueAt: Date; dueHours: number; marker: string;
  /** The connector's followUp.outcomeCodes: the agent closes the task with one of them (read back by the SLA stage). */
  outcomeCodes: readonly string[];
}): { title: string; description: string } {
  return {
    title: `Follow up with an unhappy customer: ${m.ticketKey} (${SCALE_NAMES[m.scale]} ${m.score}/${SCALES[m.scale].max})`,
    description: renderTemplate('itsm/follow-up-task.text', { ...base(m.scale, m.score), ...m, answeredAt: when(m.answeredAt), dueAt: when(m.dueAt), firstCode: m.outcomeCodes[0] ?? '' }, data()).trim(),
  };
}

export function renderEscalationNote(m: { ticketKey: string; taskKey: string | null; customer: string; dueAt: Date; marker: string }): string {
  return renderTemplate('itsm/escalation-note.text', { ...m, taskKey: m.taskKey ?? '', dueAt: when(m.dueAt) }, data()).trim();
}

export function renderRatingChangeNote(m: { scale: Scale; score: number; comment: string | null; answeredAt: Date; satisfied: boolean; marker: string }): string {
  return renderTemplate('itsm/rating-change-note.text', { ...base(m.scale, m.score), comment: m.comment, answeredAt: when(m.answeredAt), satisfied: m.satisfied, marker: m.marker }, data()).trim();
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
