// Public API of the pure rules (anti-spam eligibility, send windows, sampling, email identity).
export { emailDomain, normaliseEmail } from './email.js';
export {
  DEFAULT_EXCLUDED_CLOSE_CODES,
  excludeSchema,
  formatRulesConfigIssues,
  rulesConfigSchema,
  sendWindowSchema,
} from './rules-config.js';
export type { RulesConfig, SendWindow } from './rules-config.js';
export { nextSendTime, resolveTimeZone } from './send-window.js';
export { sampleDraw, seededRandom } from './sampling.js';
export {
  CAP_WINDOW_DAYS,
  ELIGIBILITY_RULES,
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
} from './eligibility.js';
export type { Decision, DecisionInput, EligibilityRule, RuleHit, SuppressionReason } from './eligibility.js';
export { SCALES, SCALE_NAMES, isValidScore, scaleValues } from './scales.js';
export type { Scale } from './scales.js';
