// Anti-spam eligibility: should this closure's requester get a survey?
//
// Every rule is a small pure function of the whole input returning a hit or null, so each can be
// tested alone; `decide` runs them in a fixed order and the first hit wins. The order puts cheap,
// definitive facts first (ticket already surveyed, no address, suppression) and the
// history-dependent and random ones last, so the stored reason is the most telling one
// (a person without an email is reported as `no_email`, not `cooldown`).
//
// Details are short sentences for admins and logs. They never contain the email address.
import { emailDomain, normaliseEmail } from './email.js';
import type { RulesConfig } from './rules-config.js';
import { nextSendTime } from './send-window.js';

export type SuppressionReason =
  | 'already_surveyed_ticket'
  | 'no_email'
  | 'suppression_list'
  | 'do_not_survey'
  | 'excluded_domain'
  | 'excluded_category'
  | 'excluded_close_code'
  | 'excluded_group'
  | 'requester_is_resolver'
  | 'stale_closure'
  | 'cooldown'
  | 'cap'
  | 'not_sampled';

export interface DecisionInput {
  now: Date;
  closure: {
    closedAt: Date;
    closeCode: string | null;
    category: string | null;
    assignmentGroupId: string | null;
    assignmentGroupName: string | null;
    requesterId: string | null;
    resolverId: string | null;
  };
  requester: { email: string | null /* already normalised */; timeZone: string | null };
  history: {
    /** When this person was previously given a 'survey' decision (any connector), any order. */
    surveyedAt: Date[];
    /** A previous closure of the same ticket got a 'survey' decision. */
    ticketAlreadySurveyed: boolean;
    suppression: null | 'unsubscribed' | 'bounced' | 'complained' | 'manual';
  };
  /** Uniform in [0, 1); see sampleDraw(). */
  sampleDraw: number;
  rules: RulesConfig;
}

export type Decision =
  | { outcome: 'survey'; reason: 'eligible'; sendAt: Date; detail: string }
  | { outcome: 'suppressed'; reason: SuppressionReason; detail: string };

export interface RuleHit {
  reason: SuppressionReason;
  detail: string;
}
export type EligibilityRule = (input: DecisionInput) => RuleHit | null;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The cap counts surveys in a rolling 30 × 24 h, not calendar months. */
export const CAP_WINDOW_DAYS = 30;

// ---------------------------------------------------------------- helpers

/** Trimmed, lowercased; '' for null. ITSMs send '' for empty reference fields. */
const fold = (s: string | null | undefined): string => (s ?? '').trim().toLowerCase();

/** The first list entry equal (case-insensitive, trimmed) to one of the values, if any. */
function findEntry(list: readonly string[], ...values: Array<string | null>): string | undefined {
  const wanted = values.map(fold).filter((v) => v !== '');
  return list.find((entry) => wanted.includes(fold(entry)));
}

/**
 * Boundary convention shared by cooldown and cap: a survey counts while `now − at < window`,
 * so one exactly `window` ago no longer counts. A survey stamped in the future (clock skew
 * between workers) counts as recent.
 */
function recentSurveys(input: DecisionInput, windowMs: number): Date[] {
  const now = input.now.getTime();
  return input.history.surveyedAt.filter((at) => now - at.getTime() < windowMs);
}

function ago(ms: number): string {
  if (ms < 0) return 'just now';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (ms >= DAY_MS) return plural(Math.floor(ms / DAY_MS), 'day');
  if (ms >= HOUR_MS) return plural(Math.floor(ms / HOUR_MS), 'hour');
  return plural(Math.floor(ms / 60_000), 'minute');
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------- rules, in evaluation order

export const checkAlreadySurveyedTicket: EligibilityRule = ({ rules, history }) =>
  rules.oncePerTicket && history.ticketAlreadySurveyed
    ? { reason: 'already_surveyed_ticket', detail: 'an earlier closure of this ticket was already surveyed' }
    : null;

export const checkNoEmail: EligibilityRule = ({ requester }) =>
  normaliseEmail(requester.email) === null
    ? { reason: 'no_email', detail: 'requester has no usable email address' }
    : null;

const SUPPRESSION_DETAIL = {
  unsubscribed: 'recipient unsubscribed',
  bounced: 'address bounced',
  complained: 'recipient complained (marked a survey as spam)',
  manual: 'address was suppressed manually',
} as const;

export const checkSuppressionList: EligibilityRule = ({ history }) =>
  history.suppression === null
    ? null
    : { reason: 'suppression_list', detail: `on the suppression list: ${SUPPRESSION_DETAIL[history.suppression]}` };

export const checkDoNotSurvey: EligibilityRule = ({ requester, rules }) => {
  const email = normaliseEmail(requester.email);
  if (email === null) return null;
  // Entries are normalised by the schema; normalise again in case the config was built by hand.
  return rules.exclude.emails.some((e) => normaliseEmail(e) === email)
    ? { reason: 'do_not_survey', detail: 'address is on the do-not-survey list' }
    : null;
};

/** `example.com` excludes `example.com` and any subdomain (`it.example.com`), not `myexample.com`. */
export const checkExcludedDomain: EligibilityRule = ({ requester, rules }) => {
  const email = normaliseEmail(requester.email);
  if (email === null) return null;
  const domain = emailDomain(email);
  const hit = rules.exclude.domains.find((entry) => {
    const d = fold(entry);
    return d !== '' && (domain === d || domain.endsWith(`.${d}`));
  });
  return hit === undefined
    ? null
    : { reason: 'excluded_domain', detail: `requester domain ${domain} is excluded (rule: ${fold(hit)})` };
};

export const checkExcludedCategory: EligibilityRule = ({ closure, rules }) => {
  const hit = findEntry(rules.exclude.categories, closure.category);
  return hit === undefined ? null : { reason: 'excluded_category', detail: `category "${hit}" is excluded` };
};

export const checkExcludedCloseCode: EligibilityRule = ({ closure, rules }) => {
  const hit = findEntry(rules.exclude.closeCodes, closure.closeCode);
  return hit === undefined ? null : { reason: 'excluded_close_code', detail: `close code "${hit}" is excluded` };
};

/** Entries match the group's id or its name, so admins may write either. */
export const checkExcludedGroup: EligibilityRule = ({ closure, rules }) => {
  const hit = findEntry(rules.exclude.assignmentGroups, closure.assignmentGroupId, closure.assignmentGroupName);
  return hit === undefined ? null : { reason: 'excluded_group', detail: `assignment group "${hit}" is excluded` };
};

/** Someone who resolved their own ticket has nobody to rate. Ids compare exactly (after trim). */
export const checkRequesterIsResolver: EligibilityRule = ({ closure, rules }) => {
  if (!rules.excludeRequesterIsResolver) return null;
  const requester = closure.requesterId?.trim() ?? '';
  const resolver = closure.resolverId?.trim() ?? '';
  return requester !== '' && requester === resolver
    ? { reason: 'requester_is_resolver', detail: 'the requester resolved the ticket themselves' }
    : null;
};

/** Stale when strictly older than the limit: a closure exactly maxClosureAgeHours old is surveyed. */
export const checkStaleClosure: EligibilityRule = ({ now, closure, rules }) => {
  const max = rules.maxClosureAgeHours;
  if (max === 0) return null;
  const age = now.getTime() - closure.closedAt.getTime();
  return age > max * HOUR_MS
    ? {
        reason: 'stale_closure',
        detail: `closed ${ago(age)}; surveys are only sent within ${max} hours of closure`,
      }
    : null;
};

/** Cooldown is `cooldownDays × 86 400 s`; a survey exactly that long ago no longer blocks. */
export const checkCooldown: EligibilityRule = (input) => {
  const n = input.rules.cooldownDays;
  if (n === 0) return null;
  const recent = recentSurveys(input, n * DAY_MS);
  if (recent.length === 0) return null;
  const latest = Math.max(...recent.map((d) => d.getTime()));
  return {
    reason: 'cooldown',
    detail: `surveyed ${ago(input.now.getTime() - latest)}; cooldown is ${days(n)}`,
  };
};

export const checkCap: EligibilityRule = (input) => {
  const max = input.rules.maxSurveysPer30Days;
  if (max === 0) return null;
  const count = recentSurveys(input, CAP_WINDOW_DAYS * DAY_MS).length;
  return count >= max
    ? {
        reason: 'cap',
        detail: `${count} survey${count === 1 ? '' : 's'} in the last ${CAP_WINDOW_DAYS} days; cap is ${max}`,
      }
    : null;
};

/** Sampled when draw < percent/100, so 0 % never and 100 % always samples (draw is in [0, 1)). */
export const checkSampling: EligibilityRule = ({ sampleDraw, rules }) =>
  sampleDraw >= rules.samplingPercent / 100
    ? { reason: 'not_sampled', detail: `not in the ${rules.samplingPercent}% sample` }
    : null;

/** The rules in evaluation order; the first hit wins. */
export const ELIGIBILITY_RULES: readonly EligibilityRule[] = Object.freeze([
  checkAlreadySurveyedTicket,
  checkNoEmail,
  checkSuppressionList,
  checkDoNotSurvey,
  checkExcludedDomain,
  checkExcludedCategory,
  checkExcludedCloseCode,
  checkExcludedGroup,
  checkRequesterIsResolver,
  checkStaleClosure,
  checkCooldown,
  checkCap,
  checkSampling,
]);

export function decide(input: DecisionInput): Decision {
  for (const rule of ELIGIBILITY_RULES) {
    const hit = rule(input);
    if (hit !== null) return { outcome: 'suppressed', ...hit };
  }
  const sendAt = nextSendTime(input.now, input.rules.sendWindow, input.requester.timeZone);
  const detail =
    sendAt.getTime() === input.now.getTime()
      ? 'eligible; send now'
      : `eligible; held for the send window until ${sendAt.toISOString()}`;
  return { outcome: 'survey', reason: 'eligible', sendAt, detail };
}
